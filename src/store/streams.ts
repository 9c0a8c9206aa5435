/**
 * Source streams (invariant 10): bytes travel from a node to any client through a bounded,
 * resumable Redis stream per source (a container's output now; an exec session or an export
 * later), with an explicit end. The node's worker appends (appendOutput Lua: compare-and-set on
 * the file position it read from, so racing or restarted shippers neither repeat nor skip);
 * clients read with XRANGE / XREVRANGE, and XREAD BLOCK on a connection of their own, a batch at
 * a time. Values travel as Buffers: output is never decoded on its way.
 *
 * Entries: a line {s: stdout|stderr, t: conmon's time, b: bytes, p: "1" when partial}; an end
 * {end: run, x: exit code, t: time}; the last entry of each batch also carries the stream's
 * position {g, o, r} (appendOutput-2.lua).
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';
import { appendOutputCall, type AppendArgs, type StreamPosition } from './script-args.js';
import { AppendCode, runScript, ScriptCode } from './scripts.js';

export type { AppendArgs, OutputLineArg, StreamPosition } from './script-args.js';

/** A line of output (or a piece of one) as its stream holds it. */
export interface StreamLine {
  stream: 'stdout' | 'stderr';
  /** conmon's time of the line, RFC 3339 with nanoseconds, as conmon wrote it. */
  time: string;
  /** The bytes, without the newline; never decoded. */
  bytes: Buffer;
  /** No newline yet (or a piece of a very long line): the next line of the stream continues it. */
  partial: boolean;
}

/** The end of a run: after it, nothing more of that run comes. */
export interface StreamEnd {
  run: number;
  exitCode: number;
  /** ISO time of the exit. */
  at: string;
}

export type SourceEntry = { id: string; kind: 'line'; line: StreamLine } | { id: string; kind: 'end'; end: StreamEnd };

/** A batch read: its entries, and the id of the last entry read (foreign entries are skipped, not stopped at). */
export interface StreamBatch {
  entries: SourceEntry[];
  last: string | null;
}

export type AppendOutcome =
  | { kind: 'appended'; entries: number; position: StreamPosition }
  | { kind: 'conflict'; position: StreamPosition }
  | { kind: 'gone'; reason: 'removed' | 'missing' };

/** How long an exec session's stream is kept after its last entry (its end, normally). */
export const SESSION_STREAM_TTL_MS = 3_600_000;

/** Where a stream starts: nothing shipped yet. */
export const EMPTY_POSITION: StreamPosition = Object.freeze({ gen: '', offset: 0, endedRun: -1 });

type RawEntry = [id: Buffer, fields: Buffer[]];

export class SourceStreams {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
  ) {}

  /** The stream of a container's output. */
  outputKey(id: string): string {
    return this.keys.container(id).output;
  }

  /** Where the container's (or its exec session's) output was shipped up to (EMPTY_POSITION when nothing was). */
  async position(id: string, session?: string): Promise<StreamPosition> {
    const last = (await this.redis.xrevrangeBuffer(this.keys.source(id, session).output, '+', '-', 'COUNT', 1)) as RawEntry[];
    return last[0] ? positionOf(last[0][1]) : EMPTY_POSITION;
  }

  /** Appends a batch if the stream is where the batch was read from (appendOutput-2.lua). */
  async append(a: AppendArgs): Promise<AppendOutcome> {
    const call = appendOutputCall(this.keys, a);
    const reply = (await runScript(this.redis, call.name, call.keys, call.args)) as unknown[];
    const code = Number(reply[0]);
    // an exec session's stream lives on a while after its last entry (a late reader still gets the
    // exit code), and no longer: a session whose container was removed gets no end, and goes too
    if (a.session !== undefined && code === AppendCode.Appended) await this.redis.pexpire(this.keys.source(a.id, a.session).output, SESSION_STREAM_TTL_MS);
    switch (code) {
      case AppendCode.Appended:
        return { kind: 'appended', entries: Number(reply[1]), position: positionReply(reply.slice(2)) };
      case AppendCode.Conflict:
        return { kind: 'conflict', position: positionReply(reply.slice(1)) };
      case AppendCode.Removed:
        return { kind: 'gone', reason: 'removed' };
      case ScriptCode.NoSuchContainer:
        return { kind: 'gone', reason: 'missing' };
      default:
        throw new Error(`appendOutput replied ${JSON.stringify(reply)}`);
    }
  }

  /** Entries from `start` to `end` (XRANGE ids: "-", "+", "(id" for after id), at most `count`. */
  async range(key: string, start: string, end: string, count: number): Promise<StreamBatch> {
    return batchOf((await this.redis.xrangeBuffer(key, start, end, 'COUNT', count)) as RawEntry[]);
  }

  /** Entries from `end` back to `start` (newest first), at most `count`. */
  async revRange(key: string, end: string, start: string, count: number): Promise<StreamBatch> {
    return batchOf((await this.redis.xrevrangeBuffer(key, end, start, 'COUNT', count)) as RawEntry[]);
  }

  /** The id of the stream's last entry, null when it has none. */
  async lastId(key: string): Promise<string | null> {
    const last = (await this.redis.xrevrangeBuffer(key, '+', '-', 'COUNT', 1)) as RawEntry[];
    return last[0] ? last[0][0].toString('latin1') : null;
  }

  /**
   * Waits up to `blockMs` for entries after `after` (XREAD BLOCK). `conn` must be a connection of
   * the caller's own: the blocking read holds it.
   */
  async read(conn: Redis, key: string, after: string, count: number, blockMs: number): Promise<StreamBatch> {
    const reply = (await conn.xreadBuffer('COUNT', count, 'BLOCK', blockMs, 'STREAMS', key, after)) as [Buffer, RawEntry[]][] | null;
    return batchOf(reply?.[0]?.[1] ?? []);
  }
}

function batchOf(raw: RawEntry[]): StreamBatch {
  const entries: SourceEntry[] = [];
  for (const [id, fields] of raw) {
    const e = decodeEntry(id.toString('latin1'), fields);
    if (e) entries.push(e);
  }
  return { entries, last: raw.length ? raw[raw.length - 1]![0].toString('latin1') : null };
}

/** One stream entry, or null for a foreign one (skipped by readers). */
export function decodeEntry(id: string, fields: Buffer[]): SourceEntry | null {
  const f = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!.toString('latin1'), fields[i + 1]!);
  const str = (k: string) => f.get(k)?.toString('utf8');
  const end = str('end');
  if (end !== undefined) {
    const run = Number(end);
    const exitCode = Number(str('x'));
    if (!Number.isInteger(run) || !Number.isInteger(exitCode)) return null;
    return { id, kind: 'end', end: { run, exitCode, at: str('t') ?? '' } };
  }
  const stream = str('s');
  const bytes = f.get('b');
  if ((stream !== 'stdout' && stream !== 'stderr') || bytes === undefined) return null;
  return { id, kind: 'line', line: { stream, time: str('t') ?? '', bytes, partial: str('p') === '1' } };
}

/** The position the last entry of a batch carries (every last entry of the stream is one). */
function positionOf(fields: Buffer[]): StreamPosition {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const k = fields[i]!.toString('latin1');
    if (k === 'g' || k === 'o' || k === 'r') f.set(k, fields[i + 1]!.toString('utf8'));
  }
  return f.has('g') ? { gen: f.get('g')!, offset: Number(f.get('o')), endedRun: Number(f.get('r') ?? -1) } : EMPTY_POSITION;
}

function positionReply(r: unknown[]): StreamPosition {
  return { gen: String(r[0]), offset: Number(r[1]), endedRun: Number(r[2]) };
}
