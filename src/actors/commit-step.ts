/**
 * The commit of one step, built pure: from the record and snapshot before, the snapshot after,
 * the command and the step's effects, everything commitTransition writes (snapshot, status, the
 * command's result, the history line, the events stream entry, the pending effects, whether the
 * lease goes with it). The host sends it; nothing here does I/O.
 */
import type { BerthError, SerializedError } from '../errors.js';
import type { CommitArgs } from '../store/containers.js';
import type { ContainerRecord } from '../store/records.js';
import type { MailboxEntry } from './entry.js';
import { inspectFrom, type Inspect } from './inspect.js';
import { pendingOf, type PendingEffects } from './pending-effects.js';
import { serializeSnapshot, type ContainerSnapshot } from './snapshot.js';
import { positionOf, type Effect } from './step.js';

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
  const record: ContainerRecord = { ...i.record, version: i.record.version + 1, status: after.status, applied: i.seq || i.record.applied };
  const inspect = inspectFrom(record, i.next);
  const jobId = i.entry.jobId ?? '';
  const command = i.entry.internal ? `${i.entry.command} (internal)` : i.entry.command;
  const result: CommandResult = { ok: i.failure === null, ...(i.failure ? { error: i.failure.toJSON() } : {}), inspect };
  const pending = pendingOf(i.effects, record.version, i.next.context.stops);
  const clearExit = i.next.context.exited && after.status === 'stopped';
  const { id, name, node } = i.record;
  const args: CommitArgs = {
    id,
    node,
    token: h.token,
    epoch: h.epoch,
    version: i.record.version,
    snapshot: serializeSnapshot(i.next),
    status: after.status,
    seq: i.seq,
    result: i.seq ? JSON.stringify(result) : '',
    history: before.status === after.status ? null : { from: before.status, to: after.status, command, jobId, node: h.node, at: i.at, ms: i.ms },
    event: JSON.stringify({ id, name, node, version: record.version, from: before.path, to: after.path, command, jobId, at: i.at, ms: i.ms, state: inspect }),
    effects: pending ? JSON.stringify(pending) : '',
    extendLeaseMs: h.leaseMs,
    inspect: JSON.stringify(inspect),
    // the drain's last step gives the lease back with its commit, unless work under it follows
    release: i.seq !== 0 && i.seq === h.target && !pending && !clearExit,
  };
  return { args, record, result, pending, clearExit };
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
