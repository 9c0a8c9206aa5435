/**
 * Floors: what the parts Berth is built on cost by themselves on this machine, with nothing of
 * Berth's in between. A no-op BullMQ job (add -> a worker of concurrency 8 -> the completion event
 * back at the producer, through QueueEvents, on the embedded default Redis), and one runtime call
 * (`runc --version`) through node:child_process spawn and through execa, made inside an idle Berth
 * worker process (fork costs grow with the caller's memory): latency and the caller's CPU per call.
 * They bound Berth's per-command overhead and its CPU per container from below.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { startEmbeddedRedis } from '../src/cli/embedded-redis.js';
import { redisOptionsFromUrl } from '../src/store/redis.js';
import { withScope } from './cleanup.js';
import { run } from './raw.js';
import { RUNC, ownCpu, rssOf, startStack } from './stack.js';
import { round, summarize, type Summary } from './stats.js';

export interface FloorOptions {
  samples: number;
  warmup: number;
}

export interface CallFloor {
  latency: Summary;
  /** CPU of the calling process per call, ms (the child's own CPU not included). */
  cpuMs: number;
}

export interface CallFloors {
  spawn: CallFloor;
  execa: CallFloor;
  /** The caller's RSS while calling (fork costs grow with it). */
  rssBytes: number;
}

export interface FloorResult extends CallFloors {
  samples: number;
  /** add -> completed seen by the producer, ms. */
  bullmqJob: Summary;
  /** One Lua script call (EVAL "return 1") on the same Redis, ms. */
  redisScript: Summary;
}

export async function runFloor(o: FloorOptions, log: (line: string) => void): Promise<FloorResult> {
  const { bullmqJob, redisScript } = await redisFloors(o);
  log(`  BullMQ no-op job, add -> completed at the producer: p50 ${bullmqJob.p50.toFixed(2)} ms, p99 ${bullmqJob.p99.toFixed(2)} ms`);
  log(`  one Lua script round trip: p50 ${redisScript.p50.toFixed(2)} ms`);
  const calls = await withScope('floor-calls', async (scope) => (await startStack(scope, { name: 'floor', concurrency: 8 })).calls(o));
  const result: FloorResult = { samples: o.samples, bullmqJob, redisScript, ...calls };
  for (const k of ['spawn', 'execa'] as const) {
    log(`  runc --version through ${k} in a Berth worker: p50 ${result[k].latency.p50.toFixed(2)} ms, ${result[k].cpuMs.toFixed(2)} ms of CPU per call`);
  }
  return result;
}

/** Runs in the Berth worker process (bench/worker.ts): both ways of calling runc, alternated. */
export async function measureCalls(o: FloorOptions, runc = RUNC): Promise<CallFloors> {
  const viaSpawn = () => run(runc, ['--version']); // raw.ts's baseline way of calling runc
  const viaExeca = async () => {
    await execa(runc, ['--version'], { stdin: 'ignore' });
  };
  // alternated, so that both see the same machine
  const calls = { spawn: [] as number[], execa: [] as number[] };
  const cpu = { spawn: 0, execa: 0 };
  for (let i = 0; i < o.warmup + o.samples; i++) {
    for (const [name, fn] of [['spawn', viaSpawn], ['execa', viaExeca]] as const) {
      const c0 = ownCpu();
      const t0 = performance.now();
      await fn();
      if (i < o.warmup) continue;
      calls[name].push(performance.now() - t0);
      cpu[name] += ownCpu() - c0;
    }
  }
  return {
    spawn: { latency: summarize(calls.spawn), cpuMs: round(cpu.spawn / o.samples) },
    execa: { latency: summarize(calls.execa), cpuMs: round(cpu.execa / o.samples) },
    rssBytes: rssOf(process.pid),
  };
}

async function redisFloors(o: FloorOptions): Promise<{ bullmqJob: Summary; redisScript: Summary }> {
  return withScope('floor-bullmq', async (scope) => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-floor-'));
    scope.defer(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    const server = await startEmbeddedRedis({ dir: join(dir, 'redis') });
    scope.defer('redis-server', () => server.stop());
    const conn = () => {
      const c = new Redis({ ...redisOptionsFromUrl(server.url), maxRetriesPerRequest: null });
      scope.defer('redis connection', () => c.quit().then(() => undefined, () => undefined));
      return c;
    };
    const queue = new Queue('floor', { connection: conn() });
    scope.defer('queue', () => queue.close());
    const events = new QueueEvents('floor', { connection: conn() });
    scope.defer('queue events', () => events.close());
    const worker = new Worker('floor', async () => 1, { connection: conn(), concurrency: 8 });
    scope.defer('worker', () => worker.close());
    await Promise.all([events.waitUntilReady(), worker.waitUntilReady()]);
    const samples: number[] = [];
    for (let i = 0; i < o.warmup + o.samples; i++) {
      const t0 = performance.now();
      const job = await queue.add('noop', {}, { removeOnComplete: { count: 1000 } });
      await job.waitUntilFinished(events);
      if (i >= o.warmup) samples.push(performance.now() - t0);
    }
    const direct = conn();
    const scripts: number[] = [];
    for (let i = 0; i < o.warmup + o.samples; i++) {
      const t0 = performance.now();
      await direct.eval('return 1', 0);
      if (i >= o.warmup) scripts.push(performance.now() - t0);
    }
    return { bullmqJob: summarize(samples), redisScript: summarize(scripts) };
  });
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');

/** Console lines for the floors. */
export function floorConsole(f: FloorResult): string {
  return [
    `\n5. Floors (${f.samples} samples each)`,
    `  BullMQ no-op job, add -> completed at the producer: p50 ${f2(f.bullmqJob.p50)} ms, p99 ${f2(f.bullmqJob.p99)} ms`,
    `  one Lua script round trip: p50 ${f2(f.redisScript.p50)} ms`,
    `  runc --version in a Berth worker, through child_process.spawn: p50 ${f2(f.spawn.latency.p50)} ms, CPU ${f2(f.spawn.cpuMs)} ms per call`,
    `  runc --version in a Berth worker, through execa:               p50 ${f2(f.execa.latency.p50)} ms, CPU ${f2(f.execa.cpuMs)} ms per call`,
  ].join('\n');
}

/** What the floors paragraph sets the call floors against: the throughput runs at 8 at a time. */
export interface AtEight {
  cores: number;
  /** conmon + runc's containers/s. */
  conmon?: number;
  /** Podman REST API's containers/s. */
  rest?: number;
  /** Berth's run: containers/s, its own processes' CPU and the whole machine's, ms per container. */
  berth?: { perSecond: number; own: number; machine: number; busy: number };
}

/** The README's floors paragraph: the measured floors set against the targets. */
export function floorMarkdown(f: FloorResult, at8: AtEight): string {
  const hop = f.bullmqJob.p50 + f.execa.latency.p50 - f.spawn.latency.p50;
  // the round trips Berth's invariants add to every command: its mailbox place, the lease, and a
  // commit before and after the runtime call (DESIGN invariants 2-4)
  const floor = hop + 4 * f.redisScript.p50;
  const out = [
    `**Floors**, the parts Berth is built on, alone, in this run (\`bench/floor.ts\`, ${f.samples} samples): a no-op BullMQ job (add, a worker of concurrency 8, the completion event back at the producer) takes p50 ${f2(f.bullmqJob.p50)} ms (p99 ${f2(f.bullmqJob.p99)}); a runtime call (\`runc --version\`) made in an idle Berth worker (RSS ${(f.rssBytes / 2 ** 20).toFixed(0)} MiB) through execa takes p50 ${f2(f.execa.latency.p50)} ms and ${f2(f.execa.cpuMs)} ms of the worker's CPU, through \`child_process.spawn\` ${f2(f.spawn.latency.p50)} ms and ${f2(f.spawn.cpuMs)} ms. The queue hop and execa put a command ${f2(hop)} ms p50 above the raw call; with the four Lua round trips every command needs for its mailbox place, its lease and the commits before and after its runtime call (p50 ${f2(f.redisScript.p50)} ms each), ${f2(floor)} ms${floor >= 3 ? ', above the 3 ms overhead target before Berth does anything else' : ', which leaves Berth ' + f2(3 - floor) + ' ms of the 3 ms overhead target for everything else'}.`,
  ];
  const { berth, conmon, rest, cores } = at8;
  if (berth && conmon !== undefined && Number.isFinite(conmon) && conmon > 0) {
    const others = berth.machine - berth.own; // runc, conmon, the kernel: what any supervisor makes the machine do
    const target = 0.9 * conmon;
    const budget = (cores * 1000) / target - others;
    const calls = 6 * f.execa.cpuMs;
    out.push(
      `In Berth's throughput run at 8 at a time the machine was ${Math.round(berth.busy * 100)} % busy and spent ${berth.machine.toFixed(0)} ms of CPU per container: ${berth.own.toFixed(0)} in Berth's processes (worker, client, Redis), ${others.toFixed(0)} in runc, conmon and the kernel. 0.9× conmon + runc is ${target.toFixed(1)} containers/s, ${((cores * 1000) / target).toFixed(0)} ms of the ${cores} cores per container: ${budget.toFixed(0)} ms for Berth, ${budget >= calls ? 'more' : 'less'} than its six runtime calls through execa alone (${calls.toFixed(0)} ms of worker CPU; through spawn ${(6 * f.spawn.cpuMs).toFixed(0)} ms).`,
    );
    if (rest !== undefined && Number.isFinite(rest)) {
      out.push(`Three times Podman's REST API is ${(3 * rest).toFixed(1)} containers/s, ${((3 * rest) / conmon).toFixed(2)}× conmon + runc's rate in the same run.`);
    }
  }
  return out.join(' ');
}
