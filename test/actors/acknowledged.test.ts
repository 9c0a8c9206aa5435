/**
 * Berth never undoes what it acknowledged, through a real worker and queue on a real Redis, the
 * runtime a fake (its calls and exits are the test's to decide):
 *  - an exit belongs to one run: the late exit of an earlier run leaves the new run alone;
 *  - the steps that finish a call interrupted by a lost lease carry their command's job id, and
 *    the command is applied once, confirmed, never reported failed;
 *  - a removal lets only the container's own keys expire, never the events stream.
 */
import { expect } from 'chai';
import { Queue, QueueEvents } from 'bullmq';
import { BerthError } from '../../src/errors.js';
import { addWakeJob } from '../../src/queue/jobs.js';
import { startFakeStack, type FakeStack } from '../helpers/fake-stack.js';

describe('actors: acknowledged work is never undone', function () {
  this.timeout(30_000);
  let s: FakeStack;
  /** The next runtime call of this name fails its fence as a lost lease would (ESTALE), once. */
  let staleBefore: string | undefined;

  before(async () => {
    s = await startFakeStack('ack', {
      beforeCall: async (_container, call) => {
        if (call !== staleBefore) return;
        staleBefore = undefined;
        throw new BerthError('ESTALE', `lease lost before ${call} (injected)`);
      },
    });
  });
  after(async () => {
    await s?.close();
  });

  it('ignores the late exit of an earlier run: the acknowledged restart stays running', async () => {
    const c = await s.client.create({ name: 'late-exit', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    const restarted = await s.client.restart(c.Id, { timeout: 0 });
    expect(restarted.State.Status).to.equal('running');
    // the exit of run 1 (the process the restart killed), reported only now, as a late exit file is
    const entry = { command: 'exited', container: c.Id, code: 137, at: new Date().toISOString(), oomKilled: false, run: 1 };
    const seq = await s.client.store.enqueue(c.Id, JSON.stringify(entry), { commandId: `exit-${c.Id}-late` });
    const queue = new Queue(s.keys.nodeQueue(s.node), { connection: s.conn, prefix: s.keys.queuePrefix });
    const blocking = s.conn.duplicate();
    const events = new QueueEvents(s.keys.nodeQueue(s.node), { connection: blocking, prefix: s.keys.queuePrefix });
    try {
      await events.waitUntilReady();
      await addWakeJob(queue, c.Id, seq, entry);
      const job = await queue.getJob(`${c.Id}-${seq}`);
      const after = (await job!.waitUntilFinished(events)) as { State: { Status: string; Pid: number } };
      expect(after.State.Status, 'the exit of run 1 changed nothing').to.equal('running');
      expect(after.State.Pid).to.equal(restarted.State.Pid);
    } finally {
      await events.close();
      await queue.close();
      blocking.disconnect();
    }
    expect(s.fake.containers.get(c.Id)?.status, 'and nothing deleted the new run').to.equal('running');
    const last = (await s.client.history(c.Id)).at(-1)!;
    expect(last.to, 'history ends in the new run').to.equal('running');
  });

  it('finishes a call interrupted by a lost lease under its own job id, and confirms the command', async () => {
    const c = await s.client.create({ name: 'interrupted', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    staleBefore = 'ociPause';
    const { jobId, result } = await s.client.enqueue(c.Id, 'pause');
    const paused = await result();
    expect(paused.State.Status, 'the command is confirmed, not failed').to.equal('paused');
    const history = await s.client.history(c.Id);
    expect(history.map((h) => h.jobId).filter((j) => j === ''), 'no step without a job id').to.deep.equal([]);
    const pauses = history.filter((h) => h.to === 'paused');
    expect(pauses, 'applied once').to.have.length(1);
    expect(pauses[0]!.jobId).to.equal(jobId);
    expect(s.fake.calls.filter((x) => x.id === c.Id && x.verb === 'pause')).to.have.length(1);
  });

  it('lets a removed container’s own keys expire, and never the events stream', async () => {
    const c = await s.client.create({ name: 'removed', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.remove(c.Id);
    const k = s.keys.container(c.Id);
    for (const key of [k.record, k.history, k.results, k.seq]) expect(await s.conn.ttl(key), key).to.be.greaterThan(0);
    expect(await s.conn.ttl(s.keys.events), 'the events stream has no TTL').to.equal(-1);
  });
});
