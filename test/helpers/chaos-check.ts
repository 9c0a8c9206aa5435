/**
 * Judges a chaos run (chaos.ts). First a bounded settle: the store and the node queues are polled
 * until every container rests (no stopping/stopped/removing, no call in flight, nothing left in a
 * mailbox, no job active or waiting) or the deadline passes. Then:
 *  - agreement: each container's status against `runc state` under its node's root (configured and
 *    exited: absent; created, running, paused: the same, with the same pid); no runc container
 *    that Berth does not know, on either root;
 *  - once and in order, from the events stream (every committed step, with its job id): a step
 *    out of a resting state is a command taking effect; every acknowledged command takes effect
 *    exactly once or is refused by the state, in mailbox order; a command that failed with anything
 *    but "not confirmed ... may still be applied" does not take effect;
 *  - runs: each run of a container (runtime create to exit) ends only after a signal that ends it
 *    was delivered (a stop, a restart, a kill, the stop deadline; SIGTERM ends trap containers
 *    only), with the exit code that signal gives (137 for SIGKILL, TERM_CODE for SIGTERM), never -1;
 *  - history steps with an empty job id.
 * Every count comes with evidence: the container, an excerpt of its history, the workers' log lines.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { execa } from 'execa';
import { inspectFrom } from '../../src/actors/inspect.js';
import { EVENTS_MAX_LEN } from '../../src/store/containers.js';
import type { TransitionEvent } from '../../src/store/events.js';
import { connectRedis } from '../../src/store/redis.js';
import type { ChaosCluster, ChaosRun } from './chaos.js';
import { TERM_CODE, type Call } from './chaos-load.js';
import { RUNC } from './stack.js';

export const FAULTS = ['lost', 'duplicated', 'reordered', 'undone', 'wrongExitCodes', 'failedButApplied', 'emptyJobIds', 'disagreements', 'stuck'] as const;
export type Fault = (typeof FAULTS)[number];
export type ChaosCounters = Record<Fault | 'commands' | 'acked' | 'refused' | 'failed' | 'kills' | 'redisRestarts', number>;

export interface ChaosReport {
  counters: ChaosCounters;
  /** One block per fault found (the first few of each kind in full). */
  evidence: string[];
  /** Not faults: what the client was told, failed jobs, timings. */
  notes: string[];
  settleMs: number;
}

const RUNC_STATUS: Record<string, string> = { configured: 'absent', exited: 'absent', created: 'created', running: 'running', paused: 'paused' };
const RESTLESS = new Set(['stopping', 'stopped', 'removing', 'unknown']);
const IN_FLIGHT = new Set(['initializing', 'starting', 'releasing', 'pausing', 'unpausing', 'killing', 'signalling', 'cleaning', 'deleting']);
const REFUSALS = new Set(['ECTRSTATE', 'ECTRSTOPPED', 'ECTRRUNNING']);
const DETAILED = 4;
/** A SIGTERM this soon after `runc start` may find runc's init (Go) not yet replaced by the command: it exits GO_TERM_CODE. */
const EXEC_RACE_MS = 1000;
const GO_TERM_CODE = 2;

interface Finding {
  fault: Fault;
  id: string;
  why: string;
  /** The step to centre the excerpts on: a job id, or a history index. */
  jobId?: string;
  row?: number;
}

const short = (s: string) => s.replace(/[0-9a-f]{64}/g, (id) => id.slice(0, 8));
const mayApply = (e: NonNullable<Call['error']>) => e.code === 'EUNAVAIL' && /may still be applied/.test(e.message);
const bump = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);

export async function checkChaos(c: ChaosCluster, run: ChaosRun, o: { settleMs: number }): Promise<ChaosReport> {
  const client = c.live;
  const conn = await connectRedis(c.redis!.url, { name: 'berth-chaos-check' });
  const queues = c.nodes.map((n) => new Queue(client.keys.nodeQueue(n.name), { connection: conn, prefix: client.keys.queuePrefix }));
  const findings: Finding[] = [];
  const notes: string[] = [];
  const add = (fault: Fault, id: string, why: string, jobId?: string, row?: number) => findings.push({ fault, id, why, ...(jobId ? { jobId } : {}), ...(row === undefined ? {} : { row }) });
  try {
    // settle: poll the store with a deadline
    const t0 = Date.now();
    let left = await unrested(c, queues);
    while (left.length && Date.now() - t0 < o.settleMs) {
      await delay(250);
      left = await unrested(c, queues);
    }
    const settleMs = Date.now() - t0;
    // one finding per stuck container (a wait that timed out and the state it left are one fault)
    for (const f of [...left, ...run.load.stuck]) {
      const same = f.id ? findings.find((x) => x.fault === 'stuck' && x.id === f.id) : undefined;
      if (same) same.why += `; ${f.why}`;
      else add('stuck', f.id, f.why);
    }

    await agreement(c, add);
    const { issued } = run.load;
    const ids = new Set([...[...issued.values()].map((i) => i.id), ...(await client.store.ids())]);
    const events = new Map<string, TransitionEvent[]>();
    let read = 0;
    for (let cursor = '0-0'; ; ) {
      const page = await client.eventFeed().range(cursor, 5000);
      if (page.length === 0) break;
      cursor = page[page.length - 1]!.streamId;
      read += page.length;
      for (const { event } of page) events.set(event.id, [...(events.get(event.id) ?? []), event]);
    }
    // the stream is capped: a trimmed one would make the audit see commands without their steps
    if (read >= EVENTS_MAX_LEN * 0.9) throw new Error(`the events stream holds ${read} entries, near its cap of ${EVENTS_MAX_LEN}: the run is too long to audit`);
    const accepted = new Map<string, number>();
    const histories = new Map<string, Awaited<ReturnType<typeof client.history>>>();
    for (const id of ids) {
      const name = (await client.store.get(id))?.name ?? [...issued.values()].find((i) => i.id === id)?.name ?? '?';
      audit(id, name, run.load.deaf.get(name) ?? false, events.get(id) ?? [], run, accepted, add);
      const history = await client.store.history(id);
      histories.set(id, history);
      history.forEach((h, row) => h.jobId === '' && add('emptyJobIds', id, `${name}: history step ${h.from} -> ${h.to} by ${h.command} at ${h.at} on ${h.node} has no job id`, undefined, row));
    }

    let refused = 0;
    let failed = 0;
    for (const call of run.load.calls) {
      if (call.command === 'wait') continue;
      const told = call.error ? `${call.error.code}: ${short(call.error.message)}` : call.acked ? 'ok' : 'no answer';
      let refusedHere = call.error !== null && REFUSALS.has(call.error.code);
      for (const jobId of call.jobIds) {
        const i = issued.get(jobId)!;
        const n = accepted.get(jobId) ?? 0;
        const what = `${call.name}: ${call.queued ? 'queued' : 'awaited'} ${call.command} ${JSON.stringify(call.args)} (${short(jobId)})`;
        if (n > 1) add('duplicated', i.id, `${what} took effect ${n} times`, jobId);
        if (n > 0 && call.error && !mayApply(call.error) && call.error.code !== 'EOCI') add('failedButApplied', i.id, `${what} took effect, but the client was told ${told}`, jobId);
        if (n > 0 || !call.acked) continue;
        const seq = Number(jobId.slice(i.id.length + 1));
        const stored = run.load.results.get(jobId) ?? (await client.store.result(i.id, seq));
        const result = stored ? (JSON.parse(stored) as { ok: boolean; error?: { code: string } }) : null;
        if (result && !result.ok && REFUSALS.has(result.error?.code ?? '')) refusedHere = true;
        else if (seq > ((await client.store.get(i.id))?.applied ?? Infinity)) continue; // still in the mailbox: stuck
        else add('lost', i.id, `${what} acknowledged (${told}) but never took effect; stored result ${stored ? short(stored.slice(0, 160)) : 'none'}`, jobId);
      }
      if (refusedHere) refused++;
      else if (call.error) failed++;
      if (call.error && !call.error.berth) notes.push(`${call.name}: ${call.command} failed with something else than a BerthError: ${call.error.message}`);
      if (call.acked && call.jobIds.length === 0) notes.push(`${call.name}: ${call.command} acknowledged, but the tap saw no mailbox entry for it`);
    }
    for (const q of queues) {
      const reasons = new Map<string, number>();
      for (const { failedReason: r = '' } of await q.getFailed(0, 10_000)) if (!/^[A-Z]+: /.test(r)) bump(reasons, short(r));
      for (const [reason, n] of reasons) notes.push(`queue ${q.name}: ${n} job(s) failed with a reason outside the contract ("CODE: message"): ${reason}`);
    }
    const errors = new Map<string, number>();
    for (const { error: e } of run.load.calls) if (e) bump(errors, `${e.code}${e.code === 'EOCI' || !e.berth ? ` (${short(e.message).slice(0, 90)})` : ''}`);
    const answered = run.load.calls.filter((x) => x.settled).sort((a, b) => a.ms - b.ms);
    const ms = answered.map((x) => x.ms);
    const slow = answered.slice(-3).reverse().map((x) => `${x.name} ${x.queued ? 'queued' : 'awaited'} ${x.command} ${x.ms} ms (${x.error?.code ?? x.answer ?? 'ok'})`);
    notes.push(`client errors: ${[...errors].map(([k, v]) => `${k} ×${v}`).join('; ') || 'none'}`);
    notes.push(`answers: p50 ${ms[Math.floor(ms.length / 2)] ?? 0} ms, p99 ${ms[Math.floor(ms.length * 0.99)] ?? 0} ms; slowest: ${slow.join(', ')}; settled in ${settleMs} ms`);

    const counters = Object.fromEntries(FAULTS.map((f) => [f, findings.filter((x) => x.fault === f).length])) as Record<Fault, number>;
    const calls = run.load.calls.filter((x) => x.command !== 'wait');
    return {
      counters: { commands: calls.length, acked: calls.filter((x) => x.acked).length, refused, failed, kills: run.kills, redisRestarts: run.redisRestarts, ...counters },
      evidence: evidence(findings.sort((x, y) => FAULTS.indexOf(x.fault) - FAULTS.indexOf(y.fault)), histories, events, c.logFile),
      notes,
      settleMs,
    };
  } finally {
    for (const q of queues) await q.close().catch(() => undefined);
    conn.disconnect();
  }
}

/** What keeps the system from resting: containers mid-way, mailbox entries left, jobs left. */
async function unrested(c: ChaosCluster, queues: Queue[]): Promise<{ id: string; why: string }[]> {
  const store = c.live.store;
  const out: { id: string; why: string }[] = [];
  for (const r of await store.list()) {
    const { Status, Activity } = inspectFrom(r).State;
    if (RESTLESS.has(Status) || Activity !== '') out.push({ id: r.id, why: `${r.name} is ${Status}${Activity ? `/${Activity}` : ''} after the settle` });
    const p = await store.lastPending(r.id, r.applied);
    if (p) out.push({ id: r.id, why: `${r.name}: mailbox entry ${p.seq} ${p.entry.slice(0, 60)} not applied (applied ${r.applied})` });
  }
  for (const q of queues) {
    const busy = Object.entries(await q.getJobCounts('active', 'waiting', 'prioritized')).filter(([, n]) => n > 0);
    if (busy.length) out.push({ id: '', why: `queue ${q.name}: ${busy.map(([k, n]) => `${n} ${k}`).join(', ')} job(s) after the settle` });
  }
  return out;
}

/** Berth's view of each container against runc's, per node root, both ways. */
async function agreement(c: ChaosCluster, add: (f: Fault, id: string, why: string) => void): Promise<void> {
  const records = await c.live.store.list();
  for (const n of c.nodes) {
    const r = await execa(RUNC, ['--root', n.root, 'list', '--format', 'json'], { reject: false });
    const listed = (JSON.parse(r.stdout.trim() || 'null') as { id: string; status: string }[] | null) ?? [];
    const mine = records.filter((x) => x.node === n.name);
    for (const rec of mine) {
      const { Status, Pid } = inspectFrom(rec).State;
      const want = RUNC_STATUS[Status];
      if (want === undefined) continue; // not resting: counted as stuck
      const s = await execa(RUNC, ['--root', n.root, 'state', rec.id], { reject: false });
      const got = s.exitCode === 0 ? (JSON.parse(s.stdout) as { status: string; pid: number }) : null;
      if ((got?.status ?? 'absent') !== want) add('disagreements', rec.id, `${rec.name}: Berth says ${Status}, runc on ${n.name} says ${got?.status ?? 'absent'}`);
      else if (got && Pid !== 0 && got.pid !== Pid) add('disagreements', rec.id, `${rec.name}: Berth says ${Status} with pid ${Pid}, runc on ${n.name} has pid ${got.pid}`);
    }
    for (const x of listed) {
      if (mine.some((m) => m.id === x.id)) continue;
      const elsewhere = records.find((m) => m.id === x.id);
      add('disagreements', x.id, `runc on ${n.name} has ${short(x.id)} (${x.status}), which Berth ${elsewhere ? `places on ${elsewhere.node}` : 'does not know'}`);
    }
  }
}

/** Once, in order, and each run ended by a signal that ends it, with its exit code. */
function audit(id: string, name: string, deaf: boolean, events: TransitionEvent[], run: ChaosRun, accepted: Map<string, number>, add: (f: Fault, id: string, why: string, jobId?: string) => void): void {
  let lastSeq = 0;
  let life: { signals: Set<string>; started: number; since: TransitionEvent } | null = null;
  const sent = (signal: string, at: string) => {
    if (!life) return;
    life.signals.add(signal);
    // runc's init (Go) still in place of the command, just after `runc start`: it exits 2 on SIGTERM
    if (signal !== 'SIGKILL' && life.started && Date.parse(at) - life.started < EXEC_RACE_MS) life.signals.add('early');
  };
  for (const e of events) {
    const [fromS = '', fromA = ''] = e.from.split('.');
    const toS = e.to.split('.')[0] ?? '';
    if (!IN_FLIGHT.has(fromA)) {
      const n = (accepted.get(e.jobId) ?? 0) + 1;
      accepted.set(e.jobId, n);
      const seq = e.jobId.startsWith(`${id}-`) ? Number(e.jobId.slice(id.length + 1)) : NaN;
      if (n === 1 && seq < lastSeq) add('reordered', id, `${name}: ${e.command} (${short(e.jobId)}) took effect at v${e.version}, after seq ${lastSeq}`, e.jobId);
      if (Number.isInteger(seq)) lastSeq = Math.max(lastSeq, seq);
    }
    if (fromA === 'killing') sent(e.command.startsWith('timer') ? 'SIGKILL' : (run.load.issued.get(e.jobId)?.args.signal ?? '?'), e.at);
    if (e.from === 'stopping.signalling') sent(e.to === 'stopping.signalled' ? 'SIGKILL' : 'SIGTERM', e.at);
    if (toS === 'created' && (fromS === 'configured' || fromS === 'exited')) life = { signals: new Set(), started: 0, since: e };
    if (life && toS === 'running' && fromS === 'created') life.started = Date.parse(e.at);
    if (life && toS === 'removing') life = null;
    if (!life || toS !== 'stopped' || fromS === 'stopped') continue;
    const code = e.state.State.ExitCode;
    const signals = [...life.signals].join('+') || 'none';
    const codes = allowed(life.signals, deaf, life.started > 0);
    const how = `${name}: the run from v${life.since.version} ended at v${e.version} by ${e.command} (${short(e.jobId)}) with exit code ${code}`;
    if (codes.length === 0) add('undone', id, `${how}; no signal that ends it was delivered in that run (sent: ${signals}; ${deaf ? 'deaf' : 'trap'} container)`, e.jobId);
    else if (code === -1 || (codes[0] !== 'any' && !codes.includes(code))) add('wrongExitCodes', id, `${how}; expected ${codes.join(' or ')} after ${signals}`, e.jobId);
    life = null;
  }
}

/** Exit codes a run may end with after these signals: [] when none of them ends it. */
function allowed(signals: Set<string>, deaf: boolean, started: boolean): (number | 'any')[] {
  if (!started) return signals.size ? ['any'] : []; // runc init, not the command, got the signal
  const codes: number[] = [];
  if (signals.has('SIGKILL') || signals.has('?')) codes.push(137);
  if (!deaf && (signals.has('SIGTERM') || signals.has('?'))) codes.push(TERM_CODE);
  if (signals.has('early')) codes.push(GO_TERM_CODE);
  return codes;
}

type Row = { from: string; to: string; command: string; jobId: string; at: string; node: string };

function evidence(findings: Finding[], histories: Map<string, Row[]>, events: Map<string, TransitionEvent[]>, logFile: string): string[] {
  let log: string[] = [];
  try {
    log = readFileSync(logFile, 'utf8').split('\n');
  } catch {
    // no log: evidence without log lines
  }
  const shown = new Map<Fault, number>();
  return findings.map((f) => {
    const n = (shown.get(f.fault) ?? 0) + 1;
    shown.set(f.fault, n);
    const head = `${f.fault}: [${f.id.slice(0, 8) || 'node'}] ${short(f.why)}`;
    if (n > DETAILED || !f.id) return head;
    const excerpt = <T extends { jobId: string }>(xs: T[], show: (x: T) => string, at: number) => {
      const end = at < 0 ? xs.length : at + 3;
      return xs.slice(Math.max(0, end - 7), end).map((x) => `    ${show(x)}`);
    };
    const h = histories.get(f.id) ?? [];
    const rows = excerpt(h, (x) => `${x.at.slice(11, 23)} ${x.from || '-'} -> ${x.to} by ${x.command} (${short(x.jobId) || 'no job id'}) on ${x.node}`, f.row ?? (f.jobId ? h.map((x) => x.jobId).lastIndexOf(f.jobId) : -1));
    const ev = events.get(f.id) ?? [];
    const centre = f.jobId ? ev.map((e) => e.jobId).lastIndexOf(f.jobId) : f.row === undefined ? -1 : ev.findIndex((e) => e.at === h[f.row!]?.at);
    const steps = excerpt(ev, (e) => `v${e.version} ${e.at.slice(11, 23)} ${e.from || '-'} -> ${e.to} by ${e.command} (${short(e.jobId) || 'no job id'}) exit ${e.state.State.ExitCode}`, centre);
    // the lines naming the job, and the container's warnings, the last few of each, in order
    const about = log.flatMap((l, i) => (l.includes(f.id) ? [{ l, i, job: f.jobId !== undefined && l.includes(f.jobId), warn: /"level":[4-6]0/.test(l) }] : []));
    const pick = [...about.filter((x) => x.job).slice(-3), ...about.filter((x) => x.warn && !x.job).slice(-3)];
    const lines = (pick.length ? pick.sort((a, b) => a.i - b.i) : about.slice(-4)).map((x) => x.l);
    return [head, '  history:', ...rows, '  steps (events):', ...steps, ...(lines.length ? ['  worker log:', ...lines.map((l) => `    ${logLine(l)}`)] : [])].join('\n');
  });
}

/** A pino JSON line, short: time, node, level, message, the other fields. */
function logLine(line: string): string {
  try {
    const { time, node, level, msg, container: _c, pid: _p, hostname: _h, ...rest } = JSON.parse(line) as Record<string, unknown>;
    return short(`${new Date(Number(time)).toISOString().slice(11, 23)} ${String(node)} ${String(level)} ${String(msg)} ${JSON.stringify(rest)}`).slice(0, 300);
  } catch {
    return short(line).slice(0, 300);
  }
}

/** The counters on one line, the evidence and the notes after. */
export function formatReport(r: ChaosReport): string {
  const c = r.counters;
  const head = Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ');
  return [`chaos: ${head}`, ...r.evidence, ...r.notes.map((n) => `note: ${n}`)].join('\n');
}
