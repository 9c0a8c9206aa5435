/**
 * Durable timers by id through a real worker and queue (the fake runtime): each schedule is a
 * delayed job keyed by (container, timer id, version); a re-stop replaces it; a timer that fires
 * after it was replaced or cancelled is acknowledged and changes nothing.
 */
import { expect } from 'chai';
import { Queue, QueueEvents } from 'bullmq';
import { timerJobId } from '../../src/store/keys.js';
import { startFakeStack, type FakeStack } from '../helpers/fake-stack.js';

describe('actors: durable timers by id, through the queue', function () {
  this.timeout(30_000);
  let s: FakeStack;
  let queue: Queue;
  before(async () => {
    s = await startFakeStack('timers');
    queue = new Queue(s.keys.nodeQueue(s.node), { connection: s.conn, prefix: s.keys.queuePrefix });
  });
  after(async () => {
    await queue?.close();
    await s?.close();
  });

  const timers = async (id: string) => JSON.parse((await s.conn.hget(s.keys.container(id).record, 'timers')) ?? '{}') as Record<string, number>;

  it('keeps the stop deadline as a delayed job keyed by (container, id, version); a re-stop replaces it', async () => {
    const c = await s.client.create({ name: 'restop', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    await s.client.enqueue(c.Id, 'stop', { timeout: 300 }).then((e) => e.result());
    const first = await timers(c.Id);
    expect(Object.keys(first)).to.deep.equal(['stopDeadline']);
    const firstJob = await queue.getJob(timerJobId(c.Id, 'stopDeadline', first['stopDeadline']!));
    expect(await firstJob?.isDelayed(), 'the deadline is a delayed job').to.equal(true);
    await s.client.enqueue(c.Id, 'stop', { timeout: 300 }).then((e) => e.result());
    const second = await timers(c.Id);
    expect(second['stopDeadline']).to.be.greaterThan(first['stopDeadline']!);
    expect(await queue.getJob(timerJobId(c.Id, 'stopDeadline', first['stopDeadline']!)), 'the first is cancelled').to.equal(undefined);
    expect(await (await queue.getJob(timerJobId(c.Id, 'stopDeadline', second['stopDeadline']!)))?.isDelayed()).to.equal(true);
    await s.client.kill(c.Id);
    expect(await timers(c.Id), 'leaving the stop cancelled it').to.deep.equal({});
  });

  it('a timer that fires after it was replaced is acknowledged and changes nothing', async () => {
    const c = await s.client.create({ name: 'stale', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    await s.client.enqueue(c.Id, 'stop', { timeout: 300 }).then((e) => e.result());
    const { stopDeadline: v } = await timers(c.Id);
    await s.client.enqueue(c.Id, 'stop', { timeout: 300 }).then((e) => e.result());
    // the replaced schedule's job fires anyway (a late delivery): it must be a no-op
    const blocking = s.conn.duplicate();
    const events = new QueueEvents(s.keys.nodeQueue(s.node), { connection: blocking, prefix: s.keys.queuePrefix });
    try {
      await events.waitUntilReady();
      const job = await queue.add('timer', { container: c.Id, command: 'timer', timer: 'stopDeadline', v, event: { type: 'timer.stop', stops: 1 } });
      const after = (await job.waitUntilFinished(events)) as { State: { Status: string; Activity: string } };
      expect(after.State.Status).to.equal('stopping');
      expect(after.State.Activity, 'no SIGKILL was sent').to.equal('waiting');
    } finally {
      await events.close();
      blocking.disconnect();
    }
    expect(s.fake.containers.get(c.Id)?.signals, 'only the two stop signals').to.deep.equal(['SIGTERM', 'SIGTERM']);
  });

  it('a current timer fires once: SIGKILL at the deadline, and it is no longer pending', async () => {
    const c = await s.client.create({ name: 'fires', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    await s.client.stop(c.Id, { timeout: 1 });
    expect(s.fake.calls.filter((x) => x.id === c.Id && x.verb === 'kill').map((x) => x.args[0])).to.deep.equal(['SIGTERM', 'SIGKILL']);
    expect(await timers(c.Id)).to.deep.equal({});
  });
});
