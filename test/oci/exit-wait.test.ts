/**
 * readExit with `waitMs` (exit-wait.ts): a reader that comes between a process's end and conmon's
 * exit file gets the exit, not "none recorded"; a conmon that is gone is not waited for. Real runc
 * and conmon.
 */
import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { conmonRuns } from '../../src/oci/index.js';
import { makeSandbox, type Sandbox } from './support.js';

describe('oci/exit-wait: readExit waits for a conmon that still runs', function () {
  this.timeout(30_000);
  let s: Sandbox;

  before(async () => {
    s = await makeSandbox('exit-wait');
  });
  after(async () => {
    await s?.cleanup();
  });

  it('resolves with the exit as conmon records it', async () => {
    await s.runtime.create(s.spec('lands', ['sleep', '1000']));
    await s.runtime.start('lands');
    expect(await conmonRuns(s.runtime.layout, 'lands')).to.equal(true);
    const reading = s.runtime.readExit('lands', { waitMs: 20_000 });
    await s.runtime.kill('lands', 'SIGKILL');
    expect(await reading).to.include({ id: 'lands', code: 137, run: 1 });
    await s.runtime.delete('lands', { force: true });
  });

  it('gives up at once when conmon is gone: nothing will be recorded', async () => {
    await s.runtime.create(s.spec('orphan', ['sleep', '1000']));
    await s.runtime.start('orphan');
    const conmon = Number(await readFile(s.runtime.layout.conmonPidfile('orphan'), 'utf8'));
    process.kill(conmon, 'SIGKILL');
    // the process outlives its conmon; deleting it leaves no one to record the exit
    await s.runtime.delete('orphan', { force: true });
    expect(await s.runtime.state('orphan')).to.equal(null);
    const t0 = performance.now();
    expect(await s.runtime.readExit('orphan', { waitMs: 20_000 })).to.equal(null);
    expect(performance.now() - t0, 'no wait for a conmon that is gone').to.be.below(10_000);
    expect(await conmonRuns(s.runtime.layout, 'orphan')).to.equal(false);
  });

  it('a wait is cancelled by its signal', async () => {
    await s.runtime.create(s.spec('cancel', ['sleep', '1000']));
    await s.runtime.start('cancel');
    const ac = new AbortController();
    const reading = s.runtime.readExit('cancel', { waitMs: 60_000, signal: ac.signal });
    ac.abort(new Error('lease lost'));
    await reading.then(
      () => expect.fail('resolved after its signal fired'),
      (err: unknown) => expect((err as Error).message).to.equal('lease lost'),
    );
    await s.runtime.delete('cancel', { force: true });
  });

  it('without waitMs reads what is recorded now', async () => {
    expect(await s.runtime.readExit('never-made')).to.equal(null);
    expect(await s.runtime.readExit('never-made', { waitMs: 20_000 }), 'no conmon, no wait').to.equal(null);
  });
});
