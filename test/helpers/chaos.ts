/**
 * Chaos for Berth, shared by test/e2e/chaos.test.ts and bench/chaos.ts: two nodes on one private
 * Redis (AOF on), node "a" served by three worker processes and node "b" by one, each node with
 * its own runc root and state dir; a mixed load through the TS client (chaos-load.ts); a worker
 * process SIGKILLed and replaced every 1-4 s; one Redis restart (SHUTDOWN, AOF kept, same socket)
 * mid-run. After the load every worker is restarted cleanly (SIGTERM, then a fresh one), and
 * chaos-check.ts judges what is left. `close()` undoes everything, whatever state it is in.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { Berth, type BerthClient } from '../../src/queue/client.js';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import { Load, type LoadLog } from './chaos-load.js';
import { nodeEnv, spawnWorker, type WorkerProcess } from './processes.js';
import { startRedis, testPrefix, type TestRedis } from './redis.js';
import { deleteRuncContainers } from './stack.js';

export interface ChaosNode {
  name: string;
  env: Record<string, string>;
  root: string;
  workers: (WorkerProcess | null)[];
}

export interface ChaosOptions {
  containers: number;
  /** Seconds of load (and of chaos). */
  seconds: number;
  /** An awaited call not answered within this is stuck (ms). */
  boundMs: number;
  /** Seeds the choices of the load, the killer and the restart (their timing still varies). */
  seed: number;
  log?: (line: string) => void;
}

export interface ChaosRun {
  load: LoadLog;
  kills: number;
  redisRestarts: number;
  /** How long Redis was away, ms. */
  redisDownMs: number;
  seed: number;
}

/** How long a worker asked to close (SIGTERM) may take before it is killed. */
const CLOSE_MS = 20_000;
/** How long a replacement worker may keep failing to start (Redis away) before the run fails. */
const SPAWN_MS = 60_000;
/** A worker process not ready by then is stuck in its start: it is killed, reported, and replaced. */
const READY_MS = 30_000;

export class ChaosCluster {
  readonly nodes: ChaosNode[] = [];
  client: BerthClient | undefined;
  redis: TestRedis | undefined;
  rootfs = '';
  readonly logFile: string;
  /** Worker processes that hung in their start (not ready within READY_MS), with their log's tail. */
  readonly stuckStarts: string[] = [];
  private readonly dir: string;
  private closing: Promise<void> | undefined;

  private constructor(readonly prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'berth-chaos-'));
    this.logFile = process.env['BERTH_CHAOS_LOG'] ?? join(this.dir, 'workers.log');
  }

  /** Redis, both nodes with their workers, a client. Undoes what it made if a step fails. */
  static async start(name: string): Promise<ChaosCluster> {
    const c = new ChaosCluster(testPrefix(name));
    try {
      c.rootfs = await ensureBusyboxRootfs(join(tmpdir(), 'berth-test-rootfs'));
      c.redis = await startRedis({ aof: true });
      for (const [node, workers] of [[`${name}-a`, 3], [`${name}-b`, 1]] as const) {
        const env = nodeEnv(c.redis.url, c.prefix, node, { BERTH_TEST_LOG: process.env['BERTH_TEST_LOG'] ?? 'info' });
        c.nodes.push({ name: node, env, root: env['BERTH_RUNC_ROOT']!, workers: Array.from({ length: workers }, () => null) });
      }
      await Promise.all(c.nodes.flatMap((n) => n.workers.map(async (_, i) => (n.workers[i] = await c.spawn(n)))));
      c.client = await Berth.connect({ redis: c.redis.url, prefix: c.prefix });
      return c;
    } catch (err) {
      await c.close();
      throw err;
    }
  }

  get live(): BerthClient {
    if (!this.client) throw new Error('chaos cluster is closed');
    return this.client;
  }

  /** A worker for the node, retried while it cannot start (Redis restarting). */
  private async spawn(n: ChaosNode): Promise<WorkerProcess> {
    const deadline = Date.now() + SPAWN_MS;
    for (;;) {
      try {
        return await this.readyWithin(n, (signal) => spawnWorker(n.env, { logFile: this.logFile, signal }));
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await delay(200);
      }
    }
  }

  /** The worker once ready; one that hangs in its start is reported (its log's tail) and fails. */
  private async readyWithin(n: ChaosNode, start: (signal: AbortSignal) => Promise<WorkerProcess>): Promise<WorkerProcess> {
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), READY_MS)));
    const starting = start(ac.signal);
    const first = await Promise.race([starting, late]).finally(() => clearTimeout(timer));
    if (first !== 'late') return first;
    const log = (() => {
      try {
        return readFileSync(this.logFile, 'utf8').split('\n').slice(-40).join('\n');
      } catch {
        return '(no log)';
      }
    })();
    this.stuckStarts.push(`a worker of node ${n.name} was not ready within ${READY_MS} ms; the workers' log ends:\n${log}`);
    ac.abort();
    await starting.catch(() => undefined);
    throw new Error(`worker of ${n.name} not ready within ${READY_MS} ms`);
  }

  /** SIGKILLs worker `i` of the node and starts another in its place (the slot is empty meanwhile). */
  async replace(n: ChaosNode, i: number): Promise<void> {
    const w = n.workers[i];
    n.workers[i] = null;
    if (w) {
      w.proc.kill('SIGKILL');
      await w.proc;
    }
    n.workers[i] = await this.spawn(n);
  }

  /** Asks every worker to close (SIGTERM; SIGKILL after CLOSE_MS), then starts fresh ones. */
  async restartAll(): Promise<void> {
    await Promise.all(this.nodes.flatMap((n) => n.workers.map((w) => (w ? stopWorker(w) : undefined))));
    await Promise.all(this.nodes.flatMap((n) => n.workers.map(async (_, i) => (n.workers[i] = await this.spawn(n)))));
  }

  /** Stops every worker, deletes the runc containers of both roots, stops Redis, removes the temp dirs. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.client?.close().catch(() => undefined);
      this.client = undefined;
      for (const n of this.nodes) {
        for (const w of n.workers) {
          w?.proc.kill('SIGKILL');
          await w?.proc;
        }
        await deleteRuncContainers(n.root);
        rmSync(dirname(n.env['BERTH_STATE_DIR']!), { recursive: true, force: true });
      }
      await this.redis?.stop().catch(() => undefined);
      rmSync(this.dir, { recursive: true, force: true });
    })();
    return this.closing;
  }
}

async function stopWorker(w: WorkerProcess): Promise<void> {
  w.proc.kill('SIGTERM');
  const timer = setTimeout(() => w.proc.kill('SIGKILL'), CLOSE_MS);
  await w.proc;
  clearTimeout(timer);
}

/**
 * Creates the containers, then runs the load with the killer and the Redis restart for
 * `seconds`; stops the load, lets the killer finish its replacement, restarts every worker
 * cleanly. Resolves to what was sent and done, for checkChaos().
 */
export async function runChaos(c: ChaosCluster, o: ChaosOptions): Promise<ChaosRun> {
  const say = o.log ?? (() => undefined);
  const [random, chance] = [mulberry32(o.seed), mulberry32(o.seed + 1)];
  const load = new Load(c.live, { containers: o.containers, nodes: c.nodes.map((n) => n.name), rootfs: c.rootfs, boundMs: o.boundMs, random });
  const run: ChaosRun = { load: load.log, kills: 0, redisRestarts: 0, redisDownMs: 0, seed: o.seed };
  const stop = new AbortController();
  setMaxListeners(0, stop.signal); // every driver waits on it
  await load.createAll(stop.signal);
  say(`chaos: ${o.containers} containers created; ${o.seconds} s of load, worker kills and a Redis restart (seed ${o.seed})`);

  // every 1-4 s a live worker is killed; its replacement starts in the background meanwhile
  const replacing = new Set<Promise<void>>();
  const killer = (async () => {
    for (;;) {
      await delay(1000 + chance() * 3000, undefined, { signal: stop.signal }).catch(() => undefined);
      if (stop.signal.aborted) break;
      const slots = c.nodes.flatMap((n) => n.workers.flatMap((w, i) => (w ? [{ n, i }] : [])));
      const slot = slots[Math.floor(chance() * slots.length)];
      if (!slot) continue;
      const p = c.replace(slot.n, slot.i);
      replacing.add(p);
      void p.finally(() => replacing.delete(p)).catch(() => undefined);
      run.kills++;
    }
    await Promise.all([...replacing]);
  })();
  const restart = (async () => {
    await delay((0.3 + 0.3 * chance()) * o.seconds * 1000);
    const t0 = Date.now();
    await c.redis!.restart(() => delay(1000 + chance() * 1500));
    run.redisDownMs = Date.now() - t0;
    run.redisRestarts++;
  })();
  const driving = load.run(stop.signal);
  const agents = Promise.all([killer, restart]); // settles before the abort only by failing
  await Promise.race([delay(o.seconds * 1000), agents.catch(() => undefined)]);
  stop.abort();
  await driving;
  await agents;
  await c.restartAll();
  say(`chaos: load stopped after ${run.load.calls.length} calls, ${run.kills} worker kills, Redis away ${run.redisDownMs} ms; every worker restarted`);
  return run;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same choices. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
