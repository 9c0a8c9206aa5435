/**
 * The commit of one step, built pure: from the record and snapshot before, the snapshot after,
 * the command and the step's effects, everything commitTransition writes (snapshot, status, the
 * command's result, the history line, the events stream entry, the pending effects, whether the
 * lease goes with it). The host sends it; nothing here does I/O.
 */
import type { BerthError, SerializedError } from '../errors.js';
import type { ContainerMachine } from '../machines/index.js';
import type { CommitArgs } from '../store/containers.js';
import type { ContainerRecord, HistoryEntry } from '../store/records.js';
import type { MailboxEntry } from './entry.js';
import { inspectFrom, type Inspect } from './inspect.js';
import type { PendingEffects } from './pending-effects.js';
import { serializeSnapshot, type ContainerSnapshot } from './snapshot.js';
import { positionOf, type Effect } from './step.js';
import { resolveTimers } from './timers.js';

/** What a command came to, as stored in the container's results (replayed for retried jobs). */
export interface CommandResult {
  ok: boolean;
  /** An internal command that no longer applied (a stale exit or deadline, a late cleanup). */
  ignored?: boolean;
  error?: SerializedError;
  inspect: Inspect;
}

/** Whose step it is: the lease held, the node, and the seq the drain applies up to. */
export interface Holder {
  node: string;
  token: string;
  epoch: number;
  /** The step completing this seq gives the lease back with its commit. */
  target: number;
  leaseMs: number;
}

export interface StepInput {
  record: ContainerRecord;
  before: ContainerSnapshot;
  next: ContainerSnapshot;
  entry: MailboxEntry;
  /** The seq this step completes, 0 for an intermediate step (a runtime call follows). */
  seq: number;
  effects: readonly Effect[];
  failure: BerthError | null;
  /** How long the status change took (history `ms`), and when it is committed. */
  ms: number;
  at: string;
  /** The machine hosted, when not the container machine (host.ts). */
  machine?: ContainerMachine;
}

export interface StepCommit {
  args: CommitArgs;
  /** The record as the commit leaves it (its version is the store's answer). */
  record: ContainerRecord;
  result: CommandResult;
  pending: PendingEffects | null;
  /** The run's exit is committed: its exit file may go (after the commit). */
  clearExit: boolean;
}

export function stepCommit(h: Holder, i: StepInput): StepCommit {
  const before = positionOf(i.before);
  const after = positionOf(i.next);
  const version = i.record.version + 1;
  // a timer this step's command delivers has fired: it is no longer pending
  const fired = i.entry.command === 'timer' && typeof i.entry['timer'] === 'string' ? i.entry['timer'] : undefined;
  const resolved = resolveTimers(i.record.timers, i.effects, version, Date.parse(i.at), fired);
  const record: ContainerRecord = { ...i.record, version, status: after.status, applied: i.seq || i.record.applied, timers: { ...resolved.timers } };
  const inspect = inspectFrom(record, i.next);
  const jobId = i.entry.jobId ?? '';
  const command = i.entry.internal ? `${i.entry.command} (internal)` : i.entry.command;
  const result: CommandResult = { ok: i.failure === null, ...(i.failure ? { error: i.failure.toJSON() } : {}), inspect };
  const pending: PendingEffects | null = resolved.pending.length ? { v: version, effects: resolved.pending } : null;
  const clearExit = i.next.context.exited && after.status === 'stopped';
  const { id, name, node } = i.record;
  const args: CommitArgs = {
    id,
    node,
    token: h.token,
    epoch: h.epoch,
    version: i.record.version,
    snapshot: serializeSnapshot(i.next, i.machine),
    status: after.status,
    seq: i.seq,
    result: i.seq ? JSON.stringify(result) : '',
    ...transitionLines({ id, name, node, version, from: before, to: after, command, jobId, by: h.node, at: i.at, ms: i.ms, inspect, ...healthChange(i.before, i.next) }),
    effects: pending ? JSON.stringify(pending) : '',
    extendLeaseMs: h.leaseMs,
    inspect: JSON.stringify(inspect),
    timers: Object.keys(record.timers).length ? JSON.stringify(record.timers) : '',
    // the drain's last step gives the lease back with its commit, unless work under it follows
    release: i.seq !== 0 && i.seq === h.target && !pending && !clearExit,
  };
  return { args, record, result, pending, clearExit };
}

/** What a transition adds to the container's history (on a status change) and to the events stream. */
export function transitionLines(t: {
  id: string;
  name: string;
  node: string;
  version: number;
  from: { status: string; path: string };
  to: { status: string; path: string };
  command: string;
  jobId: string;
  /** The node whose worker made the step. */
  by: string;
  at: string;
  ms: number;
  inspect: Inspect;
  /** The new health status, when the step changed it (a `health_status` event). */
  health?: string;
}): { history: HistoryEntry | null; event: string } {
  const { id, name, node, version, command, jobId, at, ms } = t;
  return {
    history: t.from.status === t.to.status ? null : { from: t.from.status, to: t.to.status, command, jobId, node: t.by, at, ms },
    event: JSON.stringify({ id, name, node, version, from: t.from.path, to: t.to.path, command, jobId, at, ms, ...(t.health ? { health: t.health } : {}), state: t.inspect }),
  };
}

/** The health status a step moved to, when it changed (none for a container without a health check). */
function healthChange(before: ContainerSnapshot, next: ContainerSnapshot): { health?: string } {
  const to = next.context.health?.status;
  return to !== undefined && to !== before.context.health?.status ? { health: to } : {};
}

/** A command refused (or an internal one that no longer applies): acknowledged, no transition. */
export function refusalCommit(h: Holder, record: ContainerRecord, snapshot: ContainerSnapshot, seq: number, error: BerthError | null): { args: CommitArgs; result: CommandResult } {
  const result: CommandResult = { ok: error === null, ...(error ? { error: error.toJSON() } : { ignored: true }), inspect: inspectFrom(record, snapshot) };
  const args: CommitArgs = {
    id: record.id,
    node: record.node,
    token: h.token,
    epoch: h.epoch,
    version: record.version,
    snapshot: '',
    status: record.status,
    seq,
    result: JSON.stringify(result),
    history: null,
    event: '',
    release: seq === h.target,
  };
  return { args, result };
}
