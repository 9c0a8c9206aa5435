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

  const timers = async (id: string) => JSON.parse((await s.conn.hget(s.keys.container(id).record, 'timers')) ?? '{}') as Record<string, { v: number; due: number }>;

  it('keeps the stop deadline as a delayed job keyed by (container, id, version); a re-stop replaces it', async () => {
    const c = await s.client.create({ name: 'restop', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    await s.client.enqueue(c.Id, 'stop', { timeout: 300 }).then((e) => e.result());
    const first = await timers(c.Id);
    expect(Object.keys(first)).to.deep.equal(['stopDeadline']);
    const firstJob = await queue.getJob(timerJobId(c.Id, 'stopDeadline', first['stopDeadline']!.v));
    expect(await firstJob?.isDelayed(), 'the deadline is a delayed job').to.equal(true);
    await s.client.enqueue(c.Id, 'stop', { timeout: 300 }).then((e) => e.result());
    const second = await timers(c.Id);
    expect(second['stopDeadline']!.v).to.be.greaterThan(first['stopDeadline']!.v);
    expect(await queue.getJob(timerJobId(c.Id, 'stopDeadline', first['stopDeadline']!.v)), 'the first is cancelled').to.equal(undefined);
    expect(await (await queue.getJob(timerJobId(c.Id, 'stopDeadline', second['stopDeadline']!.v)))?.isDelayed()).to.equal(true);
    await s.client.kill(c.Id);
    expect(await s.client.wait(c.Id)).to.equal(137);
    expect(await timers(c.Id), 'leaving the stop cancelled it').to.deep.equal({});
  });

  /** Runs `fn` with the node queue's events open on a connection of their own, closed after. */
  async function withEvents<T>(fn: (events: QueueEvents) => Promise<T>): Promise<T> {
    const blocking = s.conn.duplicate();
    const events = new QueueEvents(s.keys.nodeQueue(s.node), { connection: blocking, prefix: s.keys.queuePrefix });
    try {
      await events.waitUntilReady();
      return await fn(events);
    } finally {
      await events.close();
      blocking.disconnect();
    }
  }

  /** Adds a job as a plain BullMQ producer would, and waits for its outcome. */
  function produce(name: string, data: object, jobId: string): Promise<{ ok: unknown } | { failed: string }> {
    return withEvents(async (events) => {
      const job = await queue.add(name, data, { jobId });
      return job.waitUntilFinished(events).then(
        (ok: unknown) => ({ ok }),
        (err: Error) => ({ failed: err.message }),
      );
    });
  }

  it('a timer job for a schedule replaced since is acknowledged and changes nothing', async () => {
    const c = await s.client.create({ name: 'stale', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    await s.client.enqueue(c.Id, 'stop', { timeout: 300 }).then((e) => e.result());
    const { stopDeadline: first } = await timers(c.Id);
    await s.client.enqueue(c.Id, 'stop', { timeout: 300 }).then((e) => e.result());
    // the replaced schedule's job, added again under its own id (its delayed job was removed)
    const out = await produce('timer', { container: c.Id, timer: 'stopDeadline', v: first!.v }, timerJobId(c.Id, 'stopDeadline', first!.v));
    expect(out).to.have.nested.property('ok.State.Activity', 'waiting');
    expect(s.fake.containers.get(c.Id)?.signals, 'no SIGKILL: only the two stop signals').to.deep.equal(['SIGTERM', 'SIGTERM']);
  });

  it('a timer job added early, by anyone, fires nothing before the timer is due', async () => {
    const c = await s.client.create({ name: 'early', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    await s.client.enqueue(c.Id, 'stop', { timeout: 300 }).then((e) => e.result());
    const { stopDeadline: t } = await timers(c.Id);
    const jobId = timerJobId(c.Id, 'stopDeadline', t!.v);
    // the real job is delayed for 300 s; a producer removes it and adds its own, due now
    await (await queue.getJob(jobId))!.remove();
    await queue.add('timer', { container: c.Id, timer: 'stopDeadline', v: t!.v }, { jobId });
    const moved = await waitForState(jobId, 'delayed');
    expect(moved.delay, 'moved back until the timer is due, in about 300 s').to.be.greaterThan(200_000);
    expect(s.fake.containers.get(c.Id)?.signals, 'no SIGKILL').to.deep.equal(['SIGTERM']);
    // and a job without a timer's id, or naming no timer, is refused
    expect(await produce('timer', { container: c.Id, timer: 'stopDeadline', v: t!.v }, 'forged-1')).to.deep.equal({ failed: 'EINVAL: a timer job travels only under the id Berth schedules it with' });
    expect(await produce('exited', { container: c.Id, code: 0, at: 'T' }, 'forged-2')).to.deep.equal({ failed: 'EINVAL: "exited" is internal to Berth: only its own workers queue it' });
    await s.client.kill(c.Id);
  });

  /** Waits, on the queue's events, until the job reaches `state`. */
  function waitForState(jobId: string, state: 'delayed'): Promise<{ delay: number; timestamp: number }> {
    return withEvents(async (events) => {
      for (;;) {
        const job = await queue.getJob(jobId);
        if (job && (await job.getState()) === state) return { delay: job.delay, timestamp: job.timestamp };
        await new Promise<void>((resolve) => {
          const done = (e: { jobId: string }) => {
            if (e.jobId !== jobId) return;
            events.off(state, done);
            resolve();
          };
          events.on(state, done);
        });
      }
    });
  }

  it("a fired timer's mailbox entry woken by a seq job (a worker handing it off) is applied, not refused", async () => {
    const c = await s.client.create({ name: 'handoff', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    await s.client.enqueue(c.Id, 'stop', { timeout: 300 }).then((e) => e.result());
    const { stopDeadline: t } = await timers(c.Id);
    // as timer-job.ts places it, then as the waker hands it off at shutdown: a job named for it, with its seq
    const entry = { command: 'timer', container: c.Id, timer: 'stopDeadline', v: t!.v, internal: true };
    const seq = await s.client.store.enqueue(c.Id, JSON.stringify(entry));
    await (await queue.getJob(timerJobId(c.Id, 'stopDeadline', t!.v)))?.remove();
    const out = await produce('timer', { ...entry, seq }, `${c.Id}-${seq}`);
    expect(out, 'the deadline fired: SIGKILL sent').to.have.nested.property('ok.State.Activity', 'signalled');
    expect(s.fake.calls.filter((x) => x.id === c.Id && x.verb === 'kill').map((x) => x.args[0])).to.deep.equal(['SIGTERM', 'SIGKILL']);
  });

  it('a current timer fires once: SIGKILL at the deadline, and it is no longer pending', async () => {
    const c = await s.client.create({ name: 'fires', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    await s.client.stop(c.Id, { timeout: 1 });
    expect(s.fake.calls.filter((x) => x.id === c.Id && x.verb === 'kill').map((x) => x.args[0])).to.deep.equal(['SIGTERM', 'SIGKILL']);
    expect(await timers(c.Id)).to.deep.equal({});
  });
});
