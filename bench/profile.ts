/**
 * Where a Berth command's time goes: every Redis round trip of the client (this process) and of
 * the worker (its process, BERTH_BENCH_TRACE=1), and every runtime call, for N rounds of each
 * command on fresh containers, one at a time. Prints, per command, the median latency, the median
 * time in runtime calls, the round trips each side made (mean count per command, by connection
 * and command), and the timeline of the median sample.
 *
 *   npx tsx bench/profile.ts [rounds=20]
 *   BERTH_BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npx tsx bench/profile.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBusyboxRootfs } from '../src/oci/index.js';
import { withScope } from './cleanup.js';
import { COMMANDS, type Command } from './latency.js';
import { runtimeTime, type Span } from './spans.js';
import { startStack } from './stack.js';
import { timedCycle, type CommandWindow } from './cycle.js';
import { percentile } from './stats.js';
import { traceRedis, type RedisSpan } from './trace.js';

const ROUNDS = Number(process.argv[2] ?? 20);

type Sample = CommandWindow;

async function main(): Promise<void> {
  process.env['BERTH_BENCH_TRACE'] = '1'; // inherited by the worker process
  const clientSpans: RedisSpan[] = [];
  traceRedis((s) => clientSpans.push(s));
  await withScope('profile', async (scope) => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-profile-'));
    scope.defer(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    const rootfs = await ensureBusyboxRootfs(join(dir, 'rootfs'));
    const stack = await startStack(scope, { name: 'profile', concurrency: 8, rootfs });
    const c = stack.client;
    const samples: Sample[] = [];
    for (let r = 0; r < ROUNDS + 2; r++) {
      const w = await timedCycle(c, `p-${r}`, rootfs, ['sleep', '1000']);
      if (r >= 2) samples.push(...w);
    }
    const spans = await stack.spans(true);
    const redis = spans.filter((s) => s.id === 'redis');
    for (const cmd of COMMANDS) report(cmd, samples.filter((s) => s.cmd === cmd), spans, redis, clientSpans);
  });
}

function inside<T extends { t0: number; t1: number }>(xs: T[], w: Sample): T[] {
  return xs.filter((x) => x.t0 >= w.t0 && x.t0 <= w.t1);
}

/** Mean number per sample, by key. */
function counts(lists: string[][]): string {
  const m = new Map<string, number>();
  for (const l of lists) for (const k of l) m.set(k, (m.get(k) ?? 0) + 1);
  return [...m]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${(n / lists.length).toFixed(1).replace(/\.0$/, '')}× ${k}`)
    .join(', ');
}

function report(cmd: Command, samples: Sample[], spans: Span[], redis: Span[], client: RedisSpan[]): void {
  const lat = samples.map((s) => s.t1 - s.t0);
  const rt = samples.map((s) => runtimeTime(spans, s).ms);
  const blocking = /xread|bzpopmin|brpoplpush|blmove|bzmpop|subscribe/i;
  const wLists = samples.map((s) => inside(redis, s).filter((x) => !blocking.test(x.call)).map((x) => x.call));
  const cLists = samples.map((s) => inside(client, s).filter((x) => !blocking.test(x.cmd)).map((x) => `${x.conn} ${x.cmd}`));
  console.log(`\n=== ${cmd}: p50 ${percentile(lat, 50).toFixed(1)} ms, runtime calls p50 ${percentile(rt, 50).toFixed(1)} ms, outside p50 ${percentile(lat.map((l, i) => l - rt[i]!), 50).toFixed(1)} ms`);
  console.log(`client round trips/command: ${(cLists.flat().length / samples.length).toFixed(1)}: ${counts(cLists)}`);
  console.log(`worker round trips/command: ${(wLists.flat().length / samples.length).toFixed(1)}: ${counts(wLists)}`);
  // the median sample's timeline
  const order = lat.map((l, i) => [l, i] as const).sort((a, b) => a[0] - b[0]);
  const med = samples[order[Math.floor(order.length / 2)]![1]]!;
  const events = [
    ...inside(client, med).map((x) => ({ t0: x.t0, t1: x.t1, what: `client  ${x.conn} ${x.cmd}` })),
    ...inside(redis, med).map((x) => ({ t0: x.t0, t1: x.t1, what: `worker  ${x.call}` })),
    ...spans.filter((s) => s.id === med.id && s.t0 >= med.t0 && s.t0 <= med.t1).map((s) => ({ t0: s.t0, t1: s.t1, what: `runtime ${s.call}` })),
  ].sort((a, b) => a.t0 - b.t0);
  console.log(`timeline of the median sample (${(med.t1 - med.t0).toFixed(1)} ms), ms from the call:`);
  for (const e of events) console.log(`  ${(e.t0 - med.t0).toFixed(1).padStart(6)} +${(e.t1 - e.t0).toFixed(1).padStart(5)}  ${e.what}`);
  console.log(`  ${(med.t1 - med.t0).toFixed(1).padStart(6)}         resolved`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
