/**
 * Part 3, scale: the per-command cost while Berth knows 10, 1,000 and 10,000 containers, a few of
 * them running. Background containers are created through the TS API (a create job each: a record
 * in state configured, no runc container); a few are started and left running. At each level:
 * rounds of create, start, pause, unpause, kill, stop -t 0 and rm on a fresh container (their
 * latency, and the part of it outside runtime calls), the worker's RSS, Redis's used_memory, and
 * what one container's own keys take (MEMORY USAGE).
 */
import { withScope } from './cleanup.js';
import { COMMANDS, type Command } from './latency.js';
import { startStack, type BerthStack } from './stack.js';
import { pool, round, summarize, type Summary } from './stats.js';
import { runtimeTime } from './spans.js';
import { timedCycle, type CommandWindow } from './cycle.js';

export interface ScaleOptions {
  levels: number[];
  rounds: number;
  running: number;
  rootfs: string;
}

export interface ScaleLevel {
  containers: number;
  /** Per command: latency p50/p99 and the part outside runtime calls. */
  commands: Record<Command, { latency: Summary; outsideRuntime: Summary }>;
  /** Sum over the seven commands of the p50 latency, and of the p50 outside runtime calls. */
  cycleP50: number;
  outsideP50: number;
  workerRssBytes: number;
  /** After a full GC in the worker: its RSS and V8 heap in use. */
  workerRssAfterGcBytes: number;
  workerHeapUsedBytes: number;
  redisUsedBytes: number;
  /** Seconds it took to create this level's new background containers, and their rate. */
  createSeconds: number;
  createsPerSecond: number;
}

export interface ScaleResult {
  levels: ScaleLevel[];
  /** cycleP50 at the largest level / at the smallest. */
  cycleRatio: number;
  outsideRatio: number;
  /** (used_memory at the largest level − at the smallest) / the containers added. */
  redisBytesPerContainer: number;
  /** Worker RSS growth per container added, bytes. */
  workerBytesPerContainer: number;
  /** MEMORY USAGE of one background container's own keys (record, seq, mailbox, results, history). */
  ownKeysBytes: number;
  baseline: { workerRssBytes: number; redisUsedBytes: number };
}

const SLEEPER = ['sleep', '1000'];

export async function runScale(o: ScaleOptions, log: (line: string) => void): Promise<ScaleResult> {
  return withScope('scale', async (scope) => {
    const stack = await startStack(scope, { name: 'scale', concurrency: 16, rootfs: o.rootfs });
    const c = stack.client;
    const baseline = { workerRssBytes: stack.workerRss(), redisUsedBytes: await stack.redisUsedMemory() };
    for (let i = 0; i < o.running; i++) {
      const { Id } = await c.create({ name: `scale-run-${i}`, rootfs: o.rootfs, command: SLEEPER });
      await c.start(Id);
    }
    // warm-up cycles, not recorded: the first commands of a fresh worker are slower (JIT, connections)
    await measureLevel(stack, o.running, { ...o, rounds: 3 }, 'scale-warmup');
    let known = o.running;
    const levels: ScaleLevel[] = [];
    let firstBgId = '';
    for (const target of o.levels) {
      const names = Array.from({ length: Math.max(0, target - known) }, (_, i) => `scale-bg-${known + i}`);
      const t0 = performance.now();
      await pool(names, 64, async (name) => {
        const { Id } = await c.create({ name, rootfs: o.rootfs, command: SLEEPER });
        firstBgId ||= Id;
      });
      const createSeconds = (performance.now() - t0) / 1000;
      known += names.length;
      await stack.spans(true);
      const level = await measureLevel(stack, known, o, `scale-${target}`);
      level.createSeconds = round(createSeconds, 2);
      level.createsPerSecond = names.length ? round(names.length / createSeconds, 0) : 0;
      levels.push(level);
      log(
        `  ${String(known).padStart(6)} containers: cycle p50 ${level.cycleP50.toFixed(1)} ms (outside runtime ${level.outsideP50.toFixed(1)} ms), ` +
          `worker RSS ${(level.workerRssBytes / 2 ** 20).toFixed(0)} MiB (after GC ${(level.workerRssAfterGcBytes / 2 ** 20).toFixed(0)} MiB, heap ${(level.workerHeapUsedBytes / 2 ** 20).toFixed(0)} MiB), Redis ${(level.redisUsedBytes / 2 ** 20).toFixed(1)} MiB` +
          (names.length ? `, ${names.length} created at ${level.createsPerSecond}/s` : ''),
      );
    }
    const first = levels[0]!;
    const last = levels.at(-1)!;
    const added = last.containers - first.containers;
    return {
      levels,
      cycleRatio: round(last.cycleP50 / first.cycleP50, 3),
      outsideRatio: round(last.outsideP50 / first.outsideP50, 3),
      redisBytesPerContainer: added > 0 ? Math.round((last.redisUsedBytes - first.redisUsedBytes) / added) : NaN,
      workerBytesPerContainer: added > 0 ? Math.round((last.workerRssBytes - first.workerRssBytes) / added) : NaN,
      ownKeysBytes: firstBgId ? await ownKeys(stack, firstBgId) : NaN,
      baseline,
    };
  });
}

async function measureLevel(stack: BerthStack, containers: number, o: ScaleOptions, prefix: string): Promise<ScaleLevel> {
  const c = stack.client;
  const windows: CommandWindow[] = [];
  for (let r = 0; r < o.rounds + 1; r++) {
    const w = await timedCycle(c, `${prefix}-${r}`, o.rootfs, SLEEPER);
    if (r > 0) windows.push(...w); // the first round warms up
  }
  const spans = await stack.spans(true);
  const commands = {} as ScaleLevel['commands'];
  let cycleP50 = 0;
  let outsideP50 = 0;
  for (const cmd of COMMANDS) {
    const mine = windows.filter((w) => w.cmd === cmd);
    const latency = summarize(mine.map((w) => w.t1 - w.t0));
    const outsideRuntime = summarize(mine.map((w) => w.t1 - w.t0 - runtimeTime(spans, w).ms));
    commands[cmd] = { latency, outsideRuntime };
    cycleP50 += latency.p50;
    outsideP50 += outsideRuntime.p50;
  }
  const workerRssBytes = stack.workerRss();
  const afterGc = await stack.workerMemory();
  return {
    containers,
    commands,
    cycleP50: round(cycleP50),
    outsideP50: round(outsideP50),
    workerRssBytes,
    workerRssAfterGcBytes: afterGc.rss,
    workerHeapUsedBytes: afterGc.heapUsed,
    redisUsedBytes: await stack.redisUsedMemory(),
    createSeconds: 0,
    createsPerSecond: 0,
  };
}

/** MEMORY USAGE of one container's own keys. */
async function ownKeys(stack: BerthStack, id: string): Promise<number> {
  const k = stack.client.keys.container(id);
  let total = 0;
  for (const key of [k.record, k.seq, k.mailbox, k.results, k.history, k.lease]) {
    total += Number((await stack.redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
  }
  return total;
}
