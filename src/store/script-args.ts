/**
 * The arguments of every Lua script of the container store, built pure (BullMQ's pattern): keys
 * in the order each script's header lists them, then its ARGV. ContainerStore runs them; tests
 * check them against the scripts' headers and real Redis (test/store/scripts.test.ts).
 */
import type { Keys } from './keys.js';
import type { HistoryEntry } from './records.js';
import type { ScriptArg, ScriptName } from './scripts.js';

/** Stream entries kept (approximately) in the events stream. */
export const EVENTS_MAX_LEN = 100_000;
/** Seconds a command id is remembered, for producers that retry an enqueue. */
export const COMMAND_ID_TTL_S = 3600;
/** Seconds a removed container's record stays readable (Podman keeps exit codes 5 minutes). */
export const REMOVED_TTL_S = 300;

export interface CommitArgs {
  id: string;
  node: string;
  token: string;
  epoch: number;
  version: number;
  /** '' acknowledges a refused command without a transition. */
  snapshot: string;
  status: string;
  /** The seq this step completes, 0 for an intermediate step. */
  seq: number;
  result: string;
  history: HistoryEntry | null;
  event: string;
  /** The step's effects other than runtime calls (JSON, '' for none), kept until the next step. */
  effects?: string;
  /** Extend the lease to this many ms from now (the commit proves it is held). */
  extendLeaseMs?: number;
  /** The drain's last step: release the lease with the commit (one round trip less). */
  release?: boolean;
  /** The inspect object after the step (JSON), kept in the record for readers without the machine. */
  inspect?: string;
  /** The durable timers pending after the step (JSON map, '' for none). */
  timers?: string;
}

export interface CreateArgs {
  id: string;
  name: string;
  node: string;
  spec: string;
  snapshot: string;
  status: string;
  created: string;
  seq: number;
  result: string;
  history: HistoryEntry;
  event: string;
  /** The inspect object of the new container (JSON). */
  inspect: string;
}

/** One line (or piece of one) of a container's output, as appendOutput stores it. */
export interface OutputLineArg {
  stream: 'stdout' | 'stderr';
  /** conmon's time of the line. */
  time: string;
  /** No newline yet: the next line of the stream continues it. */
  partial: boolean;
  /** The bytes, never decoded. */
  bytes: Buffer;
}

/** Where a shipper read a stream's output up to: a file generation and a byte offset in it. */
export interface StreamPosition {
  /** The log file's generation ("" before anything was shipped). */
  gen: string;
  offset: number;
  /** The last run an end entry was appended for (-1 for none). */
  endedRun: number;
}

export interface AppendArgs {
  id: string;
  /** The position the batch was read from: the append is refused unless the stream is there. */
  expect: Pick<StreamPosition, 'gen' | 'offset'>;
  /** The position after the batch. */
  gen: string;
  to: number;
  /** Entries kept (approximately: Redis trims whole nodes of 100). */
  maxLen: number;
  lines: readonly OutputLineArg[];
  /** The run this batch ends, its exit code and time: an end entry after the lines, once per run. */
  end?: { run: number; exitCode: number; at: string };
}

export interface EnqueueOptions {
  create?: { name: string };
  dedupe?: string;
  commandId?: string;
}

/** One script call: which script, its KEYS and its ARGV. */
export interface ScriptCall {
  name: ScriptName;
  keys: string[];
  args: ScriptArg[];
}

export function enqueueCall(keys: Keys, id: string, command: string, opts: EnqueueOptions = {}): ScriptCall {
  const k = keys.container(id);
  return {
    name: 'enqueueCommand',
    keys: [k.record, k.seq, k.mailbox, keys.names, keys.command(opts.commandId ?? 'none')],
    args: [opts.create ? 'create' : 'command', command, opts.create?.name ?? '', opts.dedupe ?? '', opts.commandId ?? '', COMMAND_ID_TTL_S],
  };
}

export function createCall(keys: Keys, a: CreateArgs): ScriptCall {
  const k = keys.container(a.id);
  return {
    name: 'createContainer',
    keys: [k.record, keys.names, keys.ids, keys.events, k.history, k.results, k.mailbox, keys.nodeContainers(a.node)],
    args: [a.id, a.name, a.node, a.spec, a.snapshot, a.status, a.created, 0, a.seq, a.result, JSON.stringify(a.history), a.event, EVENTS_MAX_LEN, a.inspect],
  };
}

export function abandonCreateCall(keys: Keys, id: string): ScriptCall {
  const k = keys.container(id);
  return { name: 'abandonCreate', keys: [k.record, k.seq, k.mailbox], args: [] };
}

export function commitCall(keys: Keys, a: CommitArgs): ScriptCall {
  const k = keys.container(a.id);
  return {
    name: 'commitTransition',
    keys: [k.record, k.history, keys.events, k.mailbox, k.results, k.lease, keys.names, keys.ids, keys.nodeContainers(a.node), k.seq, k.output],
    // prettier-ignore
    args: [a.token, a.epoch, a.version, a.snapshot, a.status, a.seq, a.result, a.history ? JSON.stringify(a.history) : '', a.event, EVENTS_MAX_LEN, REMOVED_TTL_S, a.effects ?? '', a.extendLeaseMs ?? '', a.release ? keys.leaseReleases : '', a.inspect ?? '', a.timers ?? ''],
  };
}

/** What releaseDeadLocks needs of a BullMQ Queue or Worker (QueueBase's own key builder). */
export interface QueueKeysOf {
  keys: Record<string, string>;
  toKey(type: string): string;
}

export function releaseDeadLocksCall(queue: QueueKeysOf, deadWorkerIds: readonly string[]): ScriptCall {
  const keys = ['active', 'stalled', 'stalled-check'].map((name) => {
    const key = queue.keys[name];
    if (!key) throw new Error(`BullMQ no longer names its "${name}" key; releaseDeadLocks needs it`);
    return key;
  });
  return { name: 'releaseDeadLocks', keys, args: [queue.toKey(''), ...deadWorkerIds] };
}

export function beginDrainCall(keys: Keys, id: string, token: string, ttlMs: number, seq: number, deadHolder = ''): ScriptCall {
  const k = keys.container(id);
  return { name: 'beginDrain', keys: [k.lease, k.record, k.mailbox, k.results], args: [token, ttlMs, seq, deadHolder] };
}

export function renewLeaseCall(keys: Keys, id: string, token: string, ttlMs: number): ScriptCall {
  return { name: 'renewLease', keys: [keys.container(id).lease], args: [token, ttlMs] };
}

/** The node's stdin forwarder's lease (queue/stdin-forwarder.ts): the same script, another key. */
export function renewStdinLeaseCall(keys: Keys, node: string, token: string, ttlMs: number): ScriptCall {
  return { name: 'renewLease', keys: [keys.stdinLease(node)], args: [token, ttlMs] };
}

export function releaseLeaseCall(keys: Keys, id: string, token: string): ScriptCall {
  return { name: 'releaseLease', keys: [keys.container(id).lease], args: [token, keys.leaseReleases, id] };
}

export function appendOutputCall(keys: Keys, a: AppendArgs): ScriptCall {
  const k = keys.container(a.id);
  const args: ScriptArg[] = [a.expect.gen, a.expect.offset, a.gen, a.to, a.maxLen, a.end?.run ?? '', a.end?.exitCode ?? '', a.end?.at ?? ''];
  for (const l of a.lines) args.push(l.stream, l.time, l.partial ? '1' : '', l.bytes);
  return { name: 'appendOutput', keys: [k.record, k.output], args };
}
