/**
 * A Berth installation under test: a private redis-server (the embedded default, AOF on, unix
 * socket), one worker in a child process (worker.ts) on real runc and conmon with its own
 * `runc --root` and state dir, and a client in this process. Everything it starts is undone by the
 * scope: the client, the worker, every runc container under its root (and so their conmons),
 * redis-server and the temp dir.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { Berth, type BerthClient } from '../src/queue/client.js';
import { startEmbeddedRedis } from '../src/cli/embedded-redis.js';
import { redisOptionsFromUrl } from '../src/store/redis.js';
import type { Scope } from './cleanup.js';
import type { Span } from './spans.js';
import type { CallFloors, FloorOptions } from './floor.js';
import type { WorkerConfig } from './worker.js';
import { sleep } from './stats.js';

export const RUNC = '/usr/sbin/runc';
export const CONMON = '/usr/bin/conmon';

export interface BerthStack {
  dir: string;
  redisUrl: string;
  root: string;
  stateDir: string;
  client: BerthClient;
  /** A plain connection for INFO and MEMORY. */
  redis: Redis;
  workerPid: number;
  /** The worker's recorded runtime-call spans (and clears them when asked). */
  spans(clear?: boolean): Promise<Span[]>;
  /** The worker process's resident set size, bytes. */
  workerRss(): number;
  /** The worker's memory after a full GC: RSS and V8 heap used, bytes. */
  workerMemory(): Promise<{ rss: number; heapUsed: number }>;
  /** Runtime calls made by the idle worker itself, through spawn and execa (floor.ts). */
  calls(o: FloorOptions): Promise<CallFloors>;
  redisUsedMemory(): Promise<number>;
  /** CPU time used so far (user + system), ms: the worker process, this process, redis-server. */
  cpu(): { worker: number; client: number; redis: number };
}

export interface StackOptions {
  name: string;
  concurrency: number;
  /** Worker processes serving the one node (default 1); spans and memory are the first one's. */
  workers?: number;
  /** The rootfs the containers use: the worker's one rootfs root. */
  rootfs?: string;
}

/** Removes every container runc has under `root` (their conmons exit with them). */
export async function deleteAllRunc(root: string): Promise<void> {
  const list = await execa(RUNC, ['--root', root, 'list', '-q'], { reject: false });
  const ids = list.exitCode === 0 ? list.stdout.split('\n').filter(Boolean) : [];
  for (const id of ids) await execa(RUNC, ['--root', root, 'delete', '--force', id], { reject: false });
}

export async function startStack(scope: Scope, o: StackOptions): Promise<BerthStack> {
  const dir = mkdtempSync(join(tmpdir(), `berth-bench-${o.name}-`));
  scope.defer(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'runc');
  const stateDir = join(dir, 'state');
  scope.defer(`runc containers under ${root}`, () => deleteAllRunc(root));

  const redisServer = await startEmbeddedRedis({ dir: join(dir, 'redis') });
  scope.defer('redis-server', () => redisServer.stop());

  const config: WorkerConfig = {
    redis: redisServer.url,
    node: 'bench',
    concurrency: o.concurrency,
    runc: RUNC,
    root,
    stateDir,
    ...(o.rootfs === undefined ? {} : { rootfsRoots: [o.rootfs] }),
  };
  const extra = (process.env['BERTH_BENCH_WORKER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const prebuilt = process.env['BERTH_BENCH_WORKER_JS'];
  const spawnOne = async () => {
    const one = fork(prebuilt ?? fileURLToPath(new URL('./worker.ts', import.meta.url)), [JSON.stringify(config)], {
      execArgv: [...(prebuilt ? [] : ['--import', 'tsx']), '--expose-gc', ...extra],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    scope.defer('berth worker process', () => stopChild(one));
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`bench worker exited during start (code ${String(code)})`));
      one.once('exit', onExit);
      one.once('message', (m: { type?: string }) => {
        one.off('exit', onExit);
        if (m.type === 'ready') resolve();
        else reject(new Error(`bench worker said ${JSON.stringify(m)}`));
      });
    });
    return one;
  };
  const children: Awaited<ReturnType<typeof spawnOne>>[] = [];
  for (let i = 0; i < (o.workers ?? 1); i++) children.push(await spawnOne());
  const child = children[0]!;

  const client = await Berth.connect({ redis: redisServer.url });
  scope.defer('berth client', () => client.close());
  // the embedded Redis wants its password: the URL carries it
  const redis = new Redis({ ...redisOptionsFromUrl(redisServer.url), lazyConnect: false, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  scope.defer('redis connection', () => redis.quit().catch(() => undefined));

  return {
    dir,
    redisUrl: redisServer.url,
    root,
    stateDir,
    client,
    redis,
    workerPid: child.pid!,
    spans: async (clear = true) => (await ask<{ spans?: Span[] }>(child, { type: 'spans', clear })).spans ?? [],
    workerRss: () => rssOf(child.pid!),
    workerMemory: async () => {
      const { mem } = await ask<{ mem?: NodeJS.MemoryUsage }>(child, { type: 'mem' });
      return { rss: mem?.rss ?? NaN, heapUsed: mem?.heapUsed ?? NaN };
    },
    calls: async (floor) => {
      const reply = await ask<{ calls?: CallFloors; error?: string }>(child, { type: 'calls', floor });
      if (!reply.calls) throw new Error(`bench worker could not measure runtime calls: ${reply.error ?? 'no reply'}`);
      return reply.calls;
    },
    cpu: () => ({ worker: children.reduce((sum, c) => sum + cpuOf(c.pid!), 0), client: ownCpu(), redis: cpuOf(redisServer.pid) }),
    redisUsedMemory: async () => Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? NaN),
  };
}

/**
 * Compiles src/ and bench/ with the project's tsc into `outDir` (as `npm run build` does, Lua
 * scripts copied beside), so the worker runs as deployed: plain Node, no tsx loader in its
 * process (tsx adds ~40 MB of RSS and its module hooks). Resolves to bench/worker.js there.
 */
export async function compileWorker(outDir: string): Promise<string> {
  const repo = fileURLToPath(new URL('..', import.meta.url));
  const tsc = join(repo, 'node_modules', '.bin', 'tsc');
  await execa(tsc, ['-p', join(repo, 'bench', 'tsconfig.json'), '--noEmit', 'false', '--outDir', outDir, '--declaration', 'false', '--sourceMap', 'false'], { cwd: repo });
  cpSync(join(repo, 'src', 'store', 'lua'), join(outDir, 'src', 'store', 'lua'), { recursive: true });
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(join(repo, 'node_modules'), join(outDir, 'node_modules'));
  return join(outDir, 'bench', 'worker.js');
}

/** One request to the worker process over IPC; resolves with its reply of the same type. */
function ask<T>(child: ChildProcess, msg: { type: string } & Record<string, unknown>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (m: { type?: string }) => {
      if (m.type !== msg.type) return;
      child.off('message', onMessage);
      resolve(m as T);
    };
    child.on('message', onMessage);
    if (!child.send(msg)) {
      child.off('message', onMessage);
      reject(new Error('bench worker is gone'));
    }
  });
}

/** VmRSS of a process, bytes (NaN when it is gone). */
export function rssOf(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? Number.NaN : Number(kb) * 1024;
  } catch {
    return Number.NaN;
  }
}

/** utime + stime of a process, ms (NaN when it is gone). */
export function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/**
 * The whole machine's CPU time so far, ms, from /proc/stat: `busy` (user, nice, system, irq,
 * softirq, steal: every process and the kernel) and `total` (busy plus idle and iowait), summed
 * over all CPUs.
 */
export function machineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: (busy * 1000) / CLOCK_TICKS, total: ((busy + idle + iowait) * 1000) / CLOCK_TICKS };
}

/** This process's CPU time, ms. */
export function ownCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** USER_HZ: 100 on Linux (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/** Asks the worker to close (it finishes jobs in flight), then SIGKILL after 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await exited;
  }
}
