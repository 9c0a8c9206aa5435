/**
 * Cancellation reaches the runtime (STYLE §13): a runtime call whose signal aborts ends the process
 * it started and rejects; nothing is left running. The runtime binary is a stand-in that hangs
 * (test/fixtures/hanging-runtime.mjs), so the call can only end by the signal.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { firstLine } from '../../src/oci/conmon.js';
import { BerthError } from '../../src/errors.js';
import { makeSandbox, type Sandbox } from './support.js';

const HANGING = fileURLToPath(new URL('../fixtures/hanging-runtime.mjs', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('oci: cancelling a runtime call', function () {
  this.timeout(20_000);
  let box: Sandbox;
  before(async () => {
    box = await makeSandbox('cancel');
  });
  after(async () => {
    await box?.cleanup();
  });

  for (const verb of ['pause', 'kill', 'start'] as const) {
    it(`an aborted ${verb} ends the runtime process it started`, async () => {
      const runtime = box.runtimeWith({ runtime: HANGING });
      const pidFile = join(box.root, 'hang.pid');
      await mkdir(box.root, { recursive: true });
      await writeFile(pidFile, '');
      const started = firstLine(pidFile, 10_000);
      const controller = new AbortController();
      const call =
        verb === 'pause' ? runtime.pause('c1', { signal: controller.signal }) : verb === 'kill' ? runtime.kill('c1', 'SIGTERM', { signal: controller.signal }) : runtime.start('c1', { signal: controller.signal });
      const outcome = call.then(() => null, (err: unknown) => err);
      const pid = Number(await started.line);
      expect(alive(pid), 'the runtime process runs while the call waits').to.equal(true);
      controller.abort(new Error('lease lost'));
      const err = await outcome;
      expect(err).to.be.instanceOf(BerthError);
      expect((err as BerthError).message).to.match(new RegExp(`${verb} was cancelled`));
      expect(alive(pid), 'the runtime process is gone once the call has ended').to.equal(false);
    });
  }
});
