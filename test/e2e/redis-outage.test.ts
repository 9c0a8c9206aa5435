/**
 * A command reported failed is never applied: while Redis is away, commands stay retryable and
 * are confirmed once it is back; what reaches the API is a BerthError (EUNAVAIL), never a raw
 * client error; and a job that failed anyway never keeps its mailbox entry from being applied.
 * Real runc, real Redis (AOF), stopped and started on the same socket.
 */
import { expect } from 'chai';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { BerthError } from '../../src/errors.js';
import { seqJobId } from '../../src/queue/jobs.js';
import { Keys } from '../../src/store/keys.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { startStack, type Stack } from '../helpers/stack.js';

/** Long enough for a command's retries on a dead connection to run out (ioredis: 3 reconnects, ~1.2 s). */
const OUTAGE_MS = 2500;

describe('e2e: Redis away in the middle of commands', function () {
  this.timeout(60_000);
  let s: Stack;
  /** Set by a test: awaited just before the next runtime call of that name. */
  let onCall: { call: string; run: () => Promise<void> } | undefined;

  before(async () => {
    s = await startStack('outage', {
      aof: true,
      beforeCall: async (_container, call) => {
        if (onCall?.call !== call) return;
        const { run } = onCall;
        onCall = undefined;
        await run();
      },
    });
  });
  after(async () => {
    await s?.close();
  });

  it('confirms a command whose worker lost Redis mid-way, once Redis is back; never reports it failed', async () => {
    const c = await s.client.create({ name: 'mid-way', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    let outage: Promise<void> | undefined;
    // Redis is down when runc pauses: the commit after the call meets a dead connection
    onCall = {
      call: 'ociPause',
      run: () =>
        new Promise<void>((down) => {
          outage = s.redis.restart(async () => {
            down();
            await new Promise((r) => setTimeout(r, OUTAGE_MS));
          });
        }),
    };
    const paused = await s.client.pause(c.Id);
    await outage;
    expect(paused.State.Status).to.equal('paused');
    expect((await s.runc(c.Id))?.status).to.equal('paused');
    const pauses = (await s.client.history(c.Id)).filter((h) => h.to === 'paused');
    expect(pauses, 'applied once').to.have.length(1);
  });

  it('applies a mailbox entry whose job failed (attempts spent while Redis was away) when a worker recovers the node', async () => {
    const c = await s.client.create({ name: 'failed-job', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    await s.worker.close();
    const keys = new Keys(s.prefix);
    const conn = new Redis({ ...redisOptionsFromUrl(s.redis.url), maxRetriesPerRequest: null });
    const queue = new Queue(keys.nodeQueue(s.node), { connection: conn, prefix: keys.queuePrefix });
    try {
      // the pause was placed in the mailbox; its job then failed without applying it
      const entry = { command: 'pause', container: c.Id };
      const seq = await s.client.store.enqueue(c.Id, JSON.stringify(entry), { commandId: `outage-${c.Id}` });
      await queue.add('pause', { ...entry, seq }, { jobId: seqJobId(c.Id, seq), attempts: 1 });
      const blocking = conn.duplicate();
      const failing = new Worker(keys.nodeQueue(s.node), async () => Promise.reject(new Error('EUNAVAIL: Redis is unavailable: Connection is closed.')), {
        connection: blocking,
        prefix: keys.queuePrefix,
      });
      await new Promise<void>((resolve) => failing.on('failed', () => resolve()));
      await failing.close();
      blocking.disconnect();
      expect(await queue.getJobState(seqJobId(c.Id, seq))).to.equal('failed');
      const { cursor } = await s.client.store.readWithCursor(c.Id);
      s.worker = await s.startWorker();
      const done = await s.client.eventFeed().waitFor(cursor, (e) => e.id === c.Id && e.state.State.Status === 'paused');
      expect(done.jobId).to.equal(seqJobId(c.Id, seq));
      expect((await s.runc(c.Id))?.status).to.equal('paused');
    } finally {
      await queue.close();
      conn.disconnect();
    }
  });

  it('waits for a command\'s answer through the outage: no unhandled rejection ends the process', async () => {
    const c = await s.client.create({ name: 'waiting', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    const unhandled: unknown[] = [];
    const record = (err: unknown) => void unhandled.push(err);
    process.on('unhandledRejection', record);
    try {
      const { result } = await s.client.enqueue(c.Id, 'pause');
      let answer: Promise<{ State: { Status: string } }> | undefined;
      // the client starts waiting while Redis is down: its first read of the job fails
      await s.redis.restart(async () => {
        answer = result();
        await new Promise((r) => setTimeout(r, OUTAGE_MS));
      });
      expect((await answer!).State.Status).to.equal('paused');
      expect(unhandled.map(String), 'unhandled rejections').to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it('gives the API EUNAVAIL while Redis is away, never a raw client error', async () => {
    const c = await s.client.create({ name: 'api', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    await s.redis.restart(async () => {
      for (const [what, call] of [
        ['inspect', () => s.client.inspect(c.Id)],
        ['stop', () => s.client.stop(c.Id, { timeout: 0 })],
        ['restart', () => s.client.restart(c.Id, { timeout: 0 })],
      ] as const) {
        const err: unknown = await call().then(() => null, (e: unknown) => e);
        expect(err, `${what} while Redis is away`).to.be.instanceOf(BerthError);
        expect((err as BerthError).code, `${what}: ${(err as Error).message}`).to.equal('EUNAVAIL');
      }
    });
  });
});
