/**
 * Poison jobs (issue 17, point 6): a job whose data cannot be parsed, written as a non-Node
 * producer could (HSET), fails with a clear reason and never blocks its queue: `entry` keeps
 * routing, a node's queue keeps serving. A create for a node that does not exist or is not live
 * fails at once, through the client and through `entry` alike, and leaves nothing behind.
 */
import { expect } from 'chai';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { ENTRY_QUEUE } from '../../src/queue/router.js';
import { rejection } from '../helpers/assert.js';
import { startFakeStack, type FakeStack } from '../helpers/fake-stack.js';

describe('e2e: poison jobs', function () {
  this.timeout(30_000);
  let s: FakeStack;
  const opened: Array<{ close(): Promise<void> }> = [];
  before(async () => {
    s = await startFakeStack('poison');
  });
  after(async () => {
    for (const o of opened) await o.close();
    await s?.close();
  });

  async function queueOf(name: string): Promise<{ queue: Queue; events: QueueEvents }> {
    const queue = new Queue(name, { connection: s.conn, prefix: s.keys.queuePrefix });
    const events = new QueueEvents(name, { connection: s.conn.duplicate(), prefix: s.keys.queuePrefix });
    await events.waitUntilReady();
    opened.push(events, queue);
    return { queue, events };
  }

  const outcome = (job: Job, events: QueueEvents) =>
    job.waitUntilFinished(events).then(
      (ok: unknown) => ({ ok }),
      (err: Error) => ({ failed: err.message }),
    );

  /** Adds a job whose data field is `raw`, as a producer writing BullMQ's hash by hand would. */
  async function poison(queue: Queue, name: string, raw: string): Promise<Job> {
    const job = await queue.add(name, {}, { delay: 3_600_000 });
    await s.conn.hset(`${s.keys.queuePrefix}:${queue.name}:${job.id}`, 'data', raw);
    await job.promote();
    return job;
  }

  it('entry: a job whose data is not JSON fails clearly, and the next command is routed', async () => {
    const { queue, events } = await queueOf(ENTRY_QUEUE);
    const bad = await poison(queue, 'start', '{not json');
    expect(await outcome(bad, events)).to.deep.equal({ failed: 'EINVAL: the job\'s data is not JSON' });
    const c = await s.client.create({ name: 'after-poison', rootfs: s.rootfs, command: ['sleep', '1000'] });
    const next = await queue.add('start', { container: c.Id });
    expect(await outcome(next, events)).to.have.nested.property('ok.State.Status', 'running');
  });

  it("a node's queue: a job whose data is not JSON fails clearly, and the worker keeps serving", async () => {
    const { queue, events } = await queueOf(s.keys.nodeQueue(s.node));
    const bad = await poison(queue, 'start', '\u0000\u0001garbage');
    expect(await outcome(bad, events)).to.deep.equal({ failed: 'EINVAL: the job\'s data is not JSON' });
    const c = await s.client.create({ name: 'node-after-poison', rootfs: s.rootfs, command: ['sleep', '1000'] });
    expect((await s.client.start(c.Id)).State.Status).to.equal('running');
  });

  it('a create for a node that does not exist fails at once, through the client and through entry', async () => {
    const before = await s.client.list({ all: true });
    const e = await rejection(s.client.create({ name: 'nowhere', rootfs: s.rootfs, command: ['true'], node: 'no-such-node' }));
    expect(e.code).to.equal('EUNAVAIL');
    expect(e.message).to.equal('node "no-such-node" is not live: no worker heartbeats for it');
    const { queue, events } = await queueOf(ENTRY_QUEUE);
    const job = await queue.add('create', { spec: { name: 'nowhere2', rootfs: s.rootfs, command: ['true'], node: 'no-such-node' } });
    expect(await outcome(job, events)).to.deep.equal({ failed: 'EUNAVAIL: node "no-such-node" is not live: no worker heartbeats for it' });
    expect(await s.client.list({ all: true })).to.have.length(before.length);
    expect(await s.conn.hget(s.keys.names, 'nowhere2'), 'the name stays free').to.equal(null);
  });
});
