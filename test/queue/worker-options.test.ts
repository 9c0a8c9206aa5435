/** Worker options: defaults first, then the caller's, then validation naming the option (logMaxLines here). */
import { expect } from 'chai';
import { createLogger } from '../../src/log.js';
import { FakeRuntime } from '../../src/oci/index.js';
import { DEFAULT_WORKER_OPTIONS, validateWorkerOptions, type WorkerOptions } from '../../src/queue/worker.js';

const fake = new FakeRuntime();
const base: WorkerOptions = { redis: 'redis://127.0.0.1:1', node: 'n', runtime: fake, monitor: fake.monitor, log: createLogger({ level: 'silent' }) };

describe('queue/worker: validateWorkerOptions', () => {
  it('keeps 10,000 lines of output per container by default, frozen', () => {
    expect(DEFAULT_WORKER_OPTIONS.logMaxLines).to.equal(10_000);
    expect(Object.isFrozen(DEFAULT_WORKER_OPTIONS)).to.equal(true);
    expect(validateWorkerOptions(base).logMaxLines).to.equal(10_000);
    expect(validateWorkerOptions({ ...base, logMaxLines: 50 }).logMaxLines).to.equal(50);
  });

  it('refuses a bound that is not a positive integer, naming it', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => validateWorkerOptions({ ...base, logMaxLines: bad })).to.throw(`\`logMaxLines\` must be a positive integer, got ${String(bad)} (number)`);
    }
  });
});
