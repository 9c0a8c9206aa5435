/**
 * The waker applies a worker's own commands (exits, cleanups) in its process, and falls back to the
 * wake-up job every Berth producer uses for that seq when it cannot: all slots busy, closing, or
 * the in-process drain failed. On a real Redis, with a BullMQ queue; the drain is a stand-in.
 */
import { expect } from 'chai';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { CommandResult } from '../../src/actors/host.js';
import { BerthError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { Waker } from '../../src/queue/waker.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';

describe('queue/waker: internal commands applied in process', () => {
  let redis: TestRedis;
  let conn: Redis;
  let queue: Queue;
  const log = createLogger({ level: 'silent' });

  before(async () => {
    redis = await startRedis();
    conn = new Redis({ ...redisOptionsFromUrl(redis.url), maxRetriesPerRequest: null });
    queue = new Queue('node.test', { connection: conn, prefix: `${testPrefix('waker')}:q` });
  });
  after(async () => {
    await queue.close();
    conn.disconnect();
    await redis.stop();
  });

  /** A drain whose outcome the test decides, recording what it was asked. */
  function drains() {
    const calls: Array<{ id: string; seq: number; settle: (err?: Error) => void }> = [];
    let called: () => void = () => {};
    return {
      calls,
      next: () => new Promise<void>((r) => (called = r)),
      drain: (id: string, seq: number) =>
        new Promise<CommandResult>((resolve, reject) => {
          calls.push({ id, seq, settle: (err) => (err ? reject(err) : resolve({ ok: true } as CommandResult)) });
          called();
        }),
    };
  }

  /** A waker over a stand-in drain; `woken` wakes a command and resolves once its drain is asked. */
  function setup(slots: number) {
    const d = drains();
    const w = new Waker({ drain: d.drain, queue, slots, log });
    const woken = async (id: string, seq: number, entry: { command: string } & Record<string, unknown>) => {
      const asked = d.next();
      w.wake(id, seq, entry);
      await asked;
    };
    return { d, w, woken };
  }

  it('drains in this process and adds no job', async () => {
    const { d, w, woken } = setup(2);
    await woken('c1', 3, { command: 'exited', code: 0, at: 't' });
    expect(d.calls.map((c) => [c.id, c.seq])).to.deep.equal([['c1', 3]]);
    d.calls[0]!.settle();
    await w.idle();
    expect(await queue.getJob('c1-3')).to.equal(undefined);
  });

  it('adds the wake-up job, with the mailbox entry as its data, when the drain fails', async () => {
    const { d, w, woken } = setup(2);
    await woken('c2', 5, { command: 'exited', container: 'c2', code: 137, at: 't2' });
    d.calls[0]!.settle(new BerthError('ESTALE', 'lease on container c2 lost'));
    await w.idle();
    const job = await queue.getJob('c2-5');
    expect(job?.name).to.equal('exited');
    expect(job?.data).to.deep.equal({ command: 'exited', container: 'c2', code: 137, at: 't2', seq: 5 });
  });

  it('adds jobs instead of draining once every slot is busy, and after close', async () => {
    const { d, w, woken } = setup(1);
    await woken('c3', 1, { command: 'cleanup' });
    w.wake('c4', 1, { command: 'cleanup' }); // the one slot is taken by c3
    w.close();
    w.wake('c5', 1, { command: 'cleanup' });
    d.calls[0]!.settle();
    await w.idle();
    expect(d.calls.map((c) => c.id)).to.deep.equal(['c3']);
    expect(await queue.getJob('c3-1')).to.equal(undefined);
    expect((await queue.getJob('c4-1'))?.data).to.deep.equal({ command: 'cleanup', container: 'c4', seq: 1 });
    expect((await queue.getJob('c5-1'))?.data).to.deep.equal({ command: 'cleanup', container: 'c5', seq: 1 });
  });

  it('handOff() at shutdown queues what is still being drained here, and nothing already applied', async () => {
    const { d, w, woken } = setup(2);
    await woken('c7', 4, { command: 'cleanup' });
    d.calls[0]!.settle(); // c7 applied here
    await w.idle();
    await woken('c8', 9, { command: 'exited', code: 1, at: 't8' }); // its drain never finishes: the worker is shutting down
    w.close();
    await w.handOff();
    expect(await queue.getJob('c7-4')).to.equal(undefined);
    expect((await queue.getJob('c8-9'))?.data).to.deep.equal({ command: 'exited', code: 1, at: 't8', container: 'c8', seq: 9 });
  });

  it('idle() waits for a drain still running', async () => {
    const { d, w, woken } = setup(2);
    await woken('c6', 2, { command: 'cleanup' });
    let idle = false;
    const waiting = w.idle().then(() => (idle = true));
    await new Promise((r) => setImmediate(r));
    expect(idle).to.equal(false);
    d.calls[0]!.settle();
    await waiting;
    expect(idle).to.equal(true);
  });
});
