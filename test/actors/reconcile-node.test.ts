/**
 * A worker that starts while a sibling of its node keeps working must not judge a container lost
 * from a `runc list` older than the container's record. The race is made deterministic: the
 * reconciling worker's runtime runs the sibling's command while its list is in flight, and
 * returns the view runc gave before that command. Real runc, real Redis, a real worker as the
 * sibling.
 */
import { expect } from 'chai';
import { reconcileNode } from '../../src/actors/reconcile-node.js';
import { createLogger } from '../../src/log.js';
import { RuncRuntime, type ExitRecord, type RuntimeState } from '../../src/oci/index.js';
import { RUNC, startStack, type Stack } from '../helpers/stack.js';

describe('actors/reconcile-node: a view older than the record', function () {
  this.timeout(60_000);
  let s: Stack;
  const log = createLogger({ level: 'silent' });

  before(async () => {
    s = await startStack('reconcile');
  });
  after(async () => {
    await s?.close();
  });

  /** Reconciles with a runtime whose `runc list` is taken, then `during` runs, then the list is returned. */
  async function reconcileWhile(during: () => Promise<void>, view: (list: RuntimeState[]) => RuntimeState[] = (l) => l) {
    const runtime = new RuncRuntime({ runtime: RUNC, root: s.root, stateDir: s.stateDir });
    const list = runtime.list.bind(runtime);
    runtime.list = async () => {
      const seen = view(await list());
      await during();
      return seen;
    };
    const lost: ExitRecord[] = [];
    const report = await reconcileNode({ node: s.node, store: s.client.store, runtime, log, onLostExit: async (e) => void lost.push(e) });
    return { report, lost };
  }

  it('leaves a container a sibling started during the list alone', async () => {
    const c = await s.client.create({ name: 'started-meanwhile', rootfs: s.rootfs, command: ['sleep', '1000'] });
    const { report, lost } = await reconcileWhile(async () => void (await s.client.start(c.Id)));
    expect(lost, 'no exit invented').to.deep.equal([]);
    expect(report.exitsLost).to.deep.equal([]);
    expect((await s.client.inspect(c.Id)).State.Status).to.equal('running');
    expect((await s.runc(c.Id))?.status).to.equal('running');
  });

  it('leaves a container a sibling restarted during the list alone, though the list missed it', async () => {
    const c = await s.client.create({ name: 'restarted-meanwhile', rootfs: s.rootfs, command: ['sleep', '1000'] });
    const before = await s.client.start(c.Id);
    // the list ran while the restart had deleted the container from runc and not yet created it again
    const { lost } = await reconcileWhile(
      async () => void (await s.client.restart(c.Id, { timeout: 0 })),
      (list) => list.filter((x) => x.id !== c.Id),
    );
    expect(lost, 'no exit invented').to.deep.equal([]);
    const after = await s.client.inspect(c.Id);
    expect(after.State.Status).to.equal('running');
    expect(after.State.Pid).to.not.equal(before.State.Pid);
    expect((await s.runc(c.Id))?.status).to.equal('running');
  });

  it('still reports a real loss (runc lost it, the record did not change), with the run it ends', async () => {
    const c = await s.client.create({ name: 'really-lost', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    const { lost, report } = await reconcileWhile(async () => undefined, (list) => list.filter((x) => x.id !== c.Id));
    expect(report.exitsLost).to.deep.equal([c.Id]);
    expect(lost).to.have.length(1);
    expect(lost[0]).to.include({ id: c.Id, code: -1, run: 1 });
  });
});
