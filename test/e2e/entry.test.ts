/**
 * The job contract from a plain BullMQ producer, which knows nothing of Berth but the README: it
 * adds commands to the "entry" queue and reads results (or failedReason) from them.
 */
import { expect } from 'chai';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { startStack, type Stack } from '../helpers/stack.js';

describe('e2e: a plain BullMQ producer on the entry queue', function () {
  this.timeout(30_000);
  let s: Stack;
  let conn: Redis;
  let entry: Queue;
  let events: QueueEvents;
  let blocking: Redis;

  before(async () => {
    s = await startStack('entry');
    const options = { ...redisOptionsFromUrl(s.redis.url), maxRetriesPerRequest: null };
    conn = new Redis(options);
    entry = new Queue('entry', { connection: conn, prefix: `${s.prefix}:q` });
    blocking = new Redis(options);
    events = new QueueEvents('entry', { connection: blocking, prefix: `${s.prefix}:q` });
    await events.waitUntilReady();
  });
  after(async () => {
    await events?.close();
    await entry?.close();
    conn?.disconnect();
    blocking?.disconnect();
    await s?.close();
  });

  const run = async (name: string, data: Record<string, unknown>) => (await entry.add(name, data)).waitUntilFinished(events);

  it('creates, starts and pauses a container on its node, results being inspect objects', async () => {
    const created = await run('create', { spec: { name: 'via-entry', rootfs: s.rootfs, command: ['sleep', '1000'] } });
    expect(created).to.include({ Name: 'via-entry', Node: s.node });
    expect(created.State.Status).to.equal('configured');
    expect((await run('start', { container: 'via-entry' })).State.Status).to.equal('running');
    expect((await run('pause', { container: 'via-entry' })).State.Status).to.equal('paused');
    expect((await s.runc(created.Id))?.status).to.equal('paused');
  });

  it('fails a create that no live node can take at once, naming the labels (never retried for good)', async () => {
    const err: unknown = await run('create', { spec: { name: 'nowhere', rootfs: s.rootfs, command: ['true'], constraints: { disk: 'tape' } } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as Error).message).to.match(/^EUNAVAIL: no live worker node with labels disk=tape: /);
  });

  it('applies commands in the order they were added', async () => {
    const jobs = [];
    for (let i = 0; i < 10; i++) jobs.push(await entry.add(i % 2 ? 'pause' : 'unpause', { container: 'via-entry' }));
    const results = await Promise.all(jobs.map((j) => j.waitUntilFinished(events)));
    results.forEach((r, i) => expect(r.State.Status).to.equal(i % 2 ? 'paused' : 'running'));
  });

  it('fails a refused command with "<CODE>: <message>" and no retry', async () => {
    const job = await entry.add('stop', { container: 'via-entry' });
    let reason = '';
    try {
      await job.waitUntilFinished(events);
    } catch (err) {
      reason = (err as Error).message;
    }
    expect(reason).to.equal('ECTRSTATE: cannot stop container via-entry in state paused: container state improper');
    const failed = await entry.getJob(job.id!);
    expect(failed?.attemptsMade).to.be.at.most(1);
  });

  it('rejects bad data with EINVAL', async () => {
    let reason = '';
    try {
      await run('kill', { container: 'via-entry', signal: 42 });
    } catch (err) {
      reason = (err as Error).message;
    }
    expect(reason).to.match(/^EINVAL: invalid job: signal/);
  });
});
