/**
 * The reader side of the output streams (invariant 10): `client.logs(name, opts)` is an async
 * iterable of a container's output lines, read straight from its stream in Redis (no job to the
 * node), so it works from any machine. Pull-based: a batch is read only when the consumer asks
 * for the next line, its size adapted to stay near BATCH_BYTES, so a slow consumer never grows
 * memory; a follow blocks (XREAD BLOCK) on a connection of its own, closed when the loop ends
 * (break included).
 *
 * As `podman logs`: without `follow`, what the stream holds now; with it, on as the container
 * writes until its run ends (the run's end entry, whose exit code `end` then gives), or at once
 * for a container that is not running. `tail` keeps the last N lines (a line split in pieces
 * counts once), then `since` / `until` filter by conmon's time; with `follow`, `until` also ends
 * the follow when that time comes (Podman keeps waiting for the container to stop).
 */
import type { Redis } from 'ioredis';
import { BerthError, toBerthError } from '../errors.js';
import { persistedRun } from '../actors/snapshot.js';
import type { ContainerStore } from '../store/containers.js';
import type { NodeRegistry } from '../store/nodes.js';
import type { SourceEntry, SourceStreams, StreamEnd, StreamLine } from '../store/streams.js';
import { parseLogTime, rfc3339Nanos } from './log-time.js';

export interface LogsOptions {
  /** Go on as the container writes, until its run ends. */
  follow?: boolean;
  /** Lines at or after this time: a Date, RFC 3339, a Unix time, or a duration back from now ("10m"). */
  since?: Date | string;
  /** Lines at or before this time: as `since`, a duration counting forward from now (as Podman). */
  until?: Date | string;
  /** The last N lines only (negative: all). */
  tail?: number;
}

/** A line of output, or a piece of one (`partial`). */
export interface LogLine extends StreamLine {
  /** The bytes decoded as UTF-8 (invalid sequences replaced): for display; `bytes` are the truth. */
  readonly text: string;
}

/** How a run ended: its end entry. */
export type LogEnd = StreamEnd;

/** What `logs` needs of the client. */
export interface LogSources {
  store: ContainerStore;
  nodes: NodeRegistry;
  streams: SourceStreams;
  /** A connection of the reader's own for blocking reads; the reader closes it. */
  blocking(): Redis;
}

/** A container whose run can still write: a follow waits for its end. */
const LIVE = new Set(['created', 'running', 'paused', 'stopping']);
/** About the most one read brings into memory. */
const BATCH_BYTES = 4 * 1024 * 1024;
const MAX_COUNT = 512;
/** A follow checks that its container still exists this often while nothing comes. */
const BLOCK_MS = 5000;
const MS_NS = 1_000_000n;

interface Options {
  follow: boolean;
  since: bigint | null;
  until: bigint | null;
  tail: number;
}

/** One iteration of a container's logs; `end` tells how a follow ended. */
export class LogStream implements AsyncIterable<LogLine> {
  /** The end entry a follow stopped at (the run's exit code); null otherwise. */
  end: LogEnd | null = null;
  private readonly o: Options;

  constructor(
    private readonly src: LogSources,
    private readonly name: string,
    opts: LogsOptions,
  ) {
    if (opts.tail !== undefined && !Number.isInteger(opts.tail)) throw new BerthError('EINVAL', `\`tail\` must be an integer, got ${String(opts.tail)}`);
    const now = Date.now();
    this.o = {
      follow: opts.follow === true,
      since: opts.since === undefined ? null : parseLogTime(opts.since, 'since', { nowMs: now }),
      until: opts.until === undefined ? null : parseLogTime(opts.until, 'until', { nowMs: now }),
      tail: opts.tail ?? -1,
    };
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<LogLine, void, undefined> {
    let conn: Redis | undefined;
    this.end = null;
    try {
      const { store, streams } = this.src;
      const id = await store.resolve(this.name);
      const record = await store.get(id);
      if (!record) throw new BerthError('ENOCTR', `no such container ${this.name}`, { container: this.name, command: 'logs' });
      const key = streams.outputKey(id);
      const follow = this.o.follow && LIVE.has(record.status) && (await this.src.nodes.isLive(record.node));
      const run = persistedRun(record.snapshot) ?? 0;
      // without follow, what is there now and no more
      const last = await streams.lastId(key);
      if (!follow && last === null) return;
      let after = this.o.tail < 0 ? '0-0' : await this.tailStart(key, last ?? '0-0');
      let count = 64;
      for (;;) {
        let batch;
        if (follow) {
          // XREAD answers at once while entries wait, and blocks at the stream's end (never with
          // BLOCK 0, which waits for good: once --until has come, what is left is read at once)
          const left = this.o.until === null ? BLOCK_MS : Math.min(BLOCK_MS, Number((this.o.until - BigInt(Date.now()) * MS_NS) / MS_NS));
          batch = left > 0 ? await streams.read((conn ??= this.src.blocking()), key, after, count, left) : await streams.range(key, `(${after}`, '+', count);
          if (!batch.last) {
            if (left <= 0) return; // --until has come
            // nothing for a while: a container removed meanwhile (or gone with its node) writes no more
            if (!LIVE.has((await store.get(id))?.status ?? 'removed')) return;
          }
        } else {
          if (after === last) return;
          batch = await streams.range(key, `(${after}`, last!, count);
          if (!batch.last) return; // trimmed or dropped under us
        }
        after = batch.last ?? after;
        count = nextCount(batch.entries);
        for (const e of batch.entries) {
          if (e.kind === 'end') {
            if (follow && e.end.run >= run) {
              this.end = e.end;
              return;
            }
            continue;
          }
          const t = rfc3339Nanos(e.line.time);
          if (this.o.since !== null && t !== null && t < this.o.since) continue;
          if (this.o.until !== null && t !== null && t > this.o.until) {
            if (follow) return;
            continue;
          }
          yield logLine(e.line);
        }
      }
    } catch (err) {
      throw toBerthError(err);
    } finally {
      conn?.disconnect();
    }
  }

  /**
   * The id after which the last `tail` lines begin (exclusive), reading back from `last`: the
   * entry of the (tail+1)-th complete line from the end, or 0-0 when there are not that many.
   */
  private async tailStart(key: string, last: string): Promise<string> {
    if (this.o.tail === 0) return last;
    let seen = 0;
    let before = last;
    let inclusive = true;
    for (;;) {
      const batch = await this.src.streams.revRange(key, inclusive ? before : `(${before}`, '-', 256);
      if (!batch.last) return '0-0';
      for (const e of batch.entries) {
        if (e.kind !== 'line' || e.line.partial) continue;
        if (++seen > this.o.tail) return e.id;
      }
      before = batch.last;
      inclusive = false;
    }
  }
}

/** How many entries to read next: about BATCH_BYTES at the size of the last batch's lines. */
function nextCount(entries: SourceEntry[]): number {
  if (entries.length === 0) return 64;
  const bytes = entries.reduce((n, e) => n + (e.kind === 'line' ? e.line.bytes.length : 0), 0);
  return Math.max(1, Math.min(MAX_COUNT, Math.floor(BATCH_BYTES / Math.max(64, bytes / entries.length))));
}

function logLine(l: StreamLine): LogLine {
  const { stream, time, bytes, partial } = l;
  return {
    stream,
    time,
    bytes,
    partial,
    get text() {
      return bytes.toString('utf8');
    },
  };
}
