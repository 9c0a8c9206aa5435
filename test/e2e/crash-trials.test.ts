/**
 * Crash safety: a worker is killed with SIGKILL at random points while commands run (50
 * interrupted commands across create, start, stop, pause and rm, in 10 rounds of 5), and started
 * again each time. Every command is applied once in effect or fails with a clear error; afterwards
 * Berth's state equals runc's for every container and runc has no container Berth does not know.
 * The recovery time after each crash is printed (not asserted).
 */
import { rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { expect } from 'chai';
import { execa } from 'execa';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Berth, type BerthClient } from '../../src/queue/client.js';
import { Keys } from '../../src/store/keys.js';
import { BerthError } from '../../src/errors.js';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import type { CommandName } from '../../src/machines/index.js';
import { nodeEnv, spawnWorker, type WorkerProcess } from '../helpers/processes.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';
import { RUNC, settled, deleteRuncContainers } from '../helpers/stack.js';

const RUNC_STATUS: Record<string, string> = { configured: 'absent', created: 'created', running: 'running', paused: 'paused', exited: 'absent' };
const ROUNDS = 10;
const SLOTS = 5;
/** A round that takes longer is stuck: fail naming what each pending command is waiting on. */
const ROUND_LIMIT_MS = 45_000;

interface Pending {
  name: string;
  command: string;
  jobId?: string;
  phase: string;
}

describe('e2e: crash trials (SIGKILL at random points)', function () {
  this.timeout(180_000);
  let redis: TestRedis;
  let client: BerthClient;
  let worker: WorkerProcess | undefined;
  let env: Record<string, string>;
  let prefix: string;

  before(async () => {
    redis = await startRedis();
    prefix = testPrefix('trials');
    env = nodeEnv(redis.url, prefix, 'trials');
    worker = await spawnWorker(env);
    client = await Berth.connect({ redis: redis.url, prefix });
  });

  after(async () => {
    await client?.close();
    worker?.proc.kill('SIGKILL');
    await deleteRuncContainers(env['BERTH_RUNC_ROOT']!);
    await redis?.stop();
    rmSync(dirname(env['BERTH_STATE_DIR']!), { recursive: true, force: true });
  });

  /** What each pending command waits on: its job's state in BullMQ, the container's, its lease. */
  async function describePending(pending: Map<number, Pending>): Promise<string> {
    const keys = new Keys(prefix);
    const redis = new Redis(env['BERTH_REDIS_URL']!);
    const queue = new Queue(keys.nodeQueue('trials'), { connection: redis, prefix: keys.queuePrefix });
    const lines: string[] = [];
    try {
      for (const p of pending.values()) {
        const job = p.jobId ? await queue.getJobState(p.jobId) : '-';
        const c = await client.inspect(p.name).catch(() => null);
        const lease = c ? await redis.get(keys.container(c.Id).lease) : null;
        lines.push(`${p.name} ${p.command} (${p.phase}): job ${p.jobId ?? '-'} ${job}; container ${c ? `${c.State.Status}/${c.State.Activity}` : 'absent'}; lease ${lease ?? 'free'}`);
        if (!c) continue;
        const k = keys.container(c.Id);
        const [record, mailbox, results] = await Promise.all([redis.hgetall(k.record), redis.hgetall(k.mailbox), redis.hkeys(k.results)]);
        lines.push(`  applied ${record['applied']}, epoch ${record['epoch']}, results for ${results.join(',')}, mailbox ${JSON.stringify(mailbox)}`);
        const runc = await execa(RUNC, ['--root', env['BERTH_RUNC_ROOT']!, 'state', c.Id], { reject: false });
        const exits = await readdir(join(env['BERTH_STATE_DIR']!, 'exits')).catch(() => [] as string[]);
        lines.push(`  runc: ${runc.exitCode === 0 ? runc.stdout.replace(/\s+/g, ' ') : runc.stderr}; exit file: ${exits.includes(c.Id)}`);
        const timers = (await queue.getJobs(['completed', 'failed', 'delayed', 'waiting', 'active'])).filter((j) => j?.id?.startsWith(`${c.Id}-timer-`));
        for (const t of timers) lines.push(`  timer ${t.id}: ${await t.getState()} ${JSON.stringify(t.data)} -> ${JSON.stringify(t.returnvalue)?.slice(0, 80)} ${t.failedReason ?? ''}`);
        for (const h of await client.history(p.name)) lines.push(`  ${h.at} ${h.from} -> ${h.to} by ${h.command} (${h.jobId}) on ${h.node}`);
      }
      const counts = await queue.getJobCounts();
      lines.push(`queue: ${JSON.stringify(counts)}`);
    } finally {
      await queue.close();
      redis.disconnect();
    }
    return lines.join('\n');
  }

  it('applies every command once or fails it clearly, and leaves Berth and runc agreeing', async () => {
    const rootfs = await ensureBusyboxRootfs(join(tmpdir(), 'berth-test-rootfs'));
    const root = env['BERTH_RUNC_ROOT']!;
    const slots: (string | null)[] = Array.from({ length: SLOTS }, () => null);
    const tried: Record<string, number> = {};
    const recoveries: number[] = [];
    let serial = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const pending = new Map<number, Pending>();
      const work = slots.map(async (name, i): Promise<void> => {
        if (name === null) {
          const fresh = `t${round}-${i}-${serial++}`;
          tried['create'] = (tried['create'] ?? 0) + 1;
          slots[i] = fresh;
          pending.set(i, { name: fresh, command: 'create', phase: 'create' });
          await client.create({ name: fresh, rootfs, command: ['sleep', '1000'], node: 'trials', stopTimeout: 0 }).catch((err: unknown) => {
            expect(err, 'a clear error').to.be.instanceOf(BerthError);
            slots[i] = null; // a create that failed created nothing
          });
          pending.delete(i);
          return;
        }
        pending.set(i, { name, command: 'inspect', phase: 'inspect' });
        const status = (await client.inspect(name)).State.Status;
        const command: CommandName = status === 'configured' || status === 'created' ? 'start' : status === 'running' ? (i % 2 ? 'stop' : 'pause') : 'remove';
        tried[command] = (tried[command] ?? 0) + 1;
        pending.set(i, { name, command, phase: 'enqueue' });
        // slot 1 stops with -t 1 (SIGTERM, ignored by a PID 1 without a handler, then the durable
        // deadline escalates to SIGKILL), slot 3 with -t 0 (SIGKILL at once)
        const stopArgs = { timeout: i % 4 === 1 ? 1 : 0 };
        const job = await client.enqueue(name, command, command === 'remove' ? { force: true } : command === 'stop' ? stopArgs : {});
        pending.set(i, { name, command, jobId: job.jobId, phase: 'result' });
        try {
          const after = await job.result();
          if (command === 'remove') slots[i] = null;
          pending.set(i, { name, command, jobId: job.jobId, phase: 'wait' });
          if (after.State.Status === 'stopping') await client.wait(name);
        } catch (err) {
          expect(err, `${command} ${name}: a clear error`).to.be.instanceOf(BerthError);
        }
        pending.delete(i);
      });
      const all = watchdog(Promise.all(work), ROUND_LIMIT_MS, () => describePending(pending));
      // kill the worker at a random point while those commands run, then start it again
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 80)));
      worker!.proc.kill('SIGKILL');
      await worker!.proc;
      const t0 = Date.now();
      worker = await spawnWorker(env);
      await all;
      recoveries.push(Date.now() - t0);
    }

    // at rest: every container Berth knows agrees with runc, and runc knows no other
    const ids = new Set<string>();
    for (const name of slots.filter((n): n is string => n !== null)) {
      const c = await client.inspect(name);
      if (c.State.Status === 'stopped') await settled(client, name, 'exited');
      const now = await client.inspect(name);
      ids.add(now.Id);
      expect(now.State.Activity, `${name} at rest`).to.equal('');
      const r = await execa(RUNC, ['--root', root, 'state', now.Id], { reject: false });
      const runc = r.exitCode === 0 ? (JSON.parse(r.stdout) as { status: string }).status : 'absent';
      expect(runc, `${name}: Berth says ${now.State.Status}`).to.equal(RUNC_STATUS[now.State.Status]);
      // exactly once in effect: no transition of this container was committed twice
      const rows = (await client.history(name)).map((h) => `${h.jobId} ${h.from}->${h.to}`);
      expect(rows.length, `${name} history has no repeats`).to.equal(new Set(rows).size);
    }
    const left = (await execa(RUNC, ['--root', root, 'list', '-q'])).stdout.split('\n').filter(Boolean);
    for (const id of left) expect(ids.has(id), `runc container ${id} is known to Berth`).to.equal(true);
    const total = Object.values(tried).reduce((a, b) => a + b, 0);
    expect(total).to.equal(ROUNDS * SLOTS);
    recoveries.sort((a, b) => a - b);
    console.log(`      commands interrupted: ${JSON.stringify(tried)}; recovery after a crash: median ${recoveries[Math.floor(recoveries.length / 2)]} ms, max ${recoveries[recoveries.length - 1]} ms`);
  });
});

/** Resolves as `p`, or rejects after `ms` with what `describe` finds. */
function watchdog<T>(p: Promise<T>, ms: number, describe: () => Promise<string>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void describe().then(
        (d) => reject(new Error(`a round took over ${ms} ms; pending:\n${d}`)),
        (e: unknown) => reject(new Error(`a round took over ${ms} ms (no description: ${String(e)})`)),
      );
    }, ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
