/**
 * Part `chaos`: test/e2e/chaos.test.ts at full size, with the same machinery
 * (test/helpers/chaos*.ts): 40 containers on two nodes (3 worker processes + 1), 60 s of mixed
 * awaited and queued commands through the TS client, a worker process SIGKILLed and replaced every
 * 1-4 s, one Redis restart; then, after a clean restart of every worker and a bounded settle, the
 * checker's counters. Nothing here is timed: it counts where Berth broke its word under faults.
 */
import Table from 'cli-table3';
import { ChaosCluster, runChaos } from '../test/helpers/chaos.js';
import { checkChaos, type ChaosCounters } from '../test/helpers/chaos-check.js';
import type { Scope } from './cleanup.js';

export interface ChaosPartOptions {
  containers: number;
  seconds: number;
  seed?: number;
}

export interface ChaosResult {
  containers: number;
  seconds: number;
  seed: number;
  counters: ChaosCounters;
  settleMs: number;
  redisDownMs: number;
  /** The first line of each finding (the console shows them in full). */
  findings: string[];
  notes: string[];
}

/** Whoever waits longer than this for an awaited command counts it as stuck. */
const BOUND_MS = 30_000;
const SETTLE_MS = 30_000;

export async function runChaosPart(scope: Scope, o: ChaosPartOptions, log: (line: string) => void): Promise<ChaosResult> {
  const cluster = await ChaosCluster.start('bench-chaos');
  scope.defer('chaos cluster (workers, runc containers, redis-server, temp dirs)', () => cluster.close());
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  const run = await runChaos(cluster, { containers: o.containers, seconds: o.seconds, boundMs: BOUND_MS, seed, log: (l) => log(`  ${l}`) });
  const report = await checkChaos(cluster, run, { settleMs: SETTLE_MS });
  // the first few of each kind in full (history, steps, worker log), the rest one line each
  for (const e of report.evidence) log(e.replace(/^/gm, '  '));
  for (const n of report.notes) log(`  note: ${n}`);
  const result: ChaosResult = {
    containers: o.containers,
    seconds: o.seconds,
    seed,
    counters: report.counters,
    settleMs: report.settleMs,
    redisDownMs: run.redisDownMs,
    findings: report.evidence.map((e) => e.split('\n')[0]!),
    notes: report.notes,
  };
  log(chaosConsole(result));
  return result;
}

/** The counters as a table: what was done to Berth, then what it got wrong (0 everywhere is right). */
export function chaosConsole(r: ChaosResult): string {
  const c = r.counters;
  const t = new Table({ style: { head: [], border: [] }, head: ['chaos', 'count'] });
  const rows: [string, number][] = [
    ['commands sent', c.commands],
    ['  acknowledged (resolved, or queued with a job id)', c.acked],
    ['  refused by the state (allowed)', c.refused],
    ['  failed with another error (EOCI, EUNAVAIL, …)', c.failed],
    ['worker processes killed (SIGKILL)', c.kills],
    ['Redis restarts', c.redisRestarts],
    ['lost: acknowledged, never applied', c.lost],
    ['duplicated: applied twice', c.duplicated],
    ['reordered: applied out of mailbox order', c.reordered],
    ['undone: a run ended with no stop/kill/restart behind it', c.undone],
    ['wrong exit codes', c.wrongExitCodes],
    ['failed, yet applied', c.failedButApplied],
    ['history steps with an empty job id', c.emptyJobIds],
    ['disagreements with runc', c.disagreements],
    ['stuck', c.stuck],
  ];
  for (const row of rows) t.push(row);
  return `\nChaos: ${r.containers} containers, ${r.seconds} s, seed ${r.seed}; Redis away ${r.redisDownMs} ms; settled in ${r.settleMs} ms\n${t.toString()}`;
}
