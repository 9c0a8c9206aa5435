/**
 * `client.events(options)`: the events stream as an async iterable of BerthEvent. It replays from
 * `since` (a time, or an event's Cursor to resume just after it), then follows live until `until`
 * (or until the loop breaks, `close()`, or the signal aborts). It reads one batch only when the
 * consumer has taken the last one (back-pressure: at most `batch` entries in memory), on a
 * blocking connection of its own. A connection lost meanwhile is retried from the same cursor, so
 * nothing is skipped or repeated. The stream is capped (EVENTS_MAX_LEN, about 100,000 entries): a
 * `since` older than its oldest entry starts there.
 */
import type { Redis } from 'ioredis';
import { toBerthError } from '../errors.js';
import { lastEventId, readEventsAfter, trimmedAfter } from '../store/event-reads.js';
import { compareIds } from '../store/events.js';
import type { Keys } from '../store/keys.js';
import { cursorMs, matchesFilter, toBerthEvent, type BerthEvent } from './berth-event.js';
import { parseEventsOptions, type EventsOptions, type ParsedEventsOptions } from './event-options.js';

export interface EventStreamDeps {
  redis: Redis;
  keys: Keys;
  /** A new blocking connection (the stream closes it). */
  blocking(): Redis;
  /** How long one blocking read waits before it is made again (default 2000 ms). */
  blockMs?: number;
}

/** The largest sequence part of a stream id: "<ms - 1>-MAX" is just before every entry of ms. */
const MAX_SEQ = '18446744073709551615';
const RETRY_MS = 200;

export class EventStream implements AsyncIterableIterator<BerthEvent> {
  private readonly o: ParsedEventsOptions;
  private readonly buffer: BerthEvent[] = [];
  /** The stream id read up to (exclusive start of the next read); null until anchored. */
  private after: string | null = null;
  private conn: Redis | undefined;
  private ended = false;
  private trimmed = false;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly onAbort = () => void this.close();

  /** Bad options throw EINVAL here, before anything is read. */
  constructor(
    private readonly deps: EventStreamDeps,
    private readonly options: EventsOptions = {},
  ) {
    this.o = parseEventsOptions(options);
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (options.signal?.aborted) this.closed = true;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The stream id of the last entry read (events filtered out included): where a new stream would go on. */
  get cursor(): string | null {
    return this.after;
  }

  /**
   * True once the first read found that entries after the start were trimmed away (the stream is
   * capped): the replay began at the oldest entry kept, and a resumed reader has a gap.
   */
  get truncated(): boolean {
    return this.trimmed;
  }

  /** Events read and not yet taken: at most one batch (back-pressure: nothing is read ahead). */
  get buffered(): number {
    return this.buffer.length;
  }

  next(): Promise<IteratorResult<BerthEvent>> {
    // calls made without awaiting the previous one are served in order
    const step = this.queue.then(() => this.step());
    this.queue = step.catch(() => undefined);
    return step;
  }

  async return(): Promise<IteratorResult<BerthEvent>> {
    await this.close();
    return { done: true, value: undefined };
  }

  /** Ends the iteration: a pending read ends at once (done). Idempotent. */
  close(): Promise<void> {
    this.closed = true;
    this.buffer.length = 0;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.conn?.disconnect();
    this.conn = undefined;
    return Promise.resolve();
  }

  private async step(): Promise<IteratorResult<BerthEvent>> {
    while (this.buffer.length === 0 && !this.ended && !this.closed) await this.fill();
    const value = this.closed ? undefined : this.buffer.shift();
    if (value === undefined) {
      await this.close();
      return { done: true, value: undefined };
    }
    return { done: false, value };
  }

  private async anchor(): Promise<string> {
    const s = this.o.start;
    if ('now' in s) return lastEventId(this.deps.redis, this.deps.keys);
    const after = 'after' in s ? s.after : s.atMs === 0 ? '0-0' : `${s.atMs - 1}-${MAX_SEQ}`;
    this.trimmed = await trimmedAfter(this.deps.redis, this.deps.keys, after);
    return after;
  }

  /** One read: its matching events into the buffer; the end when `until` is passed. */
  private async fill(): Promise<void> {
    try {
      this.after ??= await this.anchor();
      if (this.closed) return; // closed meanwhile: open no connection
      const until = this.o.untilMs;
      const wait = until === null ? (this.deps.blockMs ?? 2000) : Math.min(this.deps.blockMs ?? 2000, until - Date.now() + 1);
      const conn = wait > 0 ? (this.conn ??= this.deps.blocking()) : this.deps.redis;
      const batch = await readEventsAfter(conn, this.deps.keys, this.after, { count: this.o.batch, blockMs: Math.max(0, wait) });
      if (this.closed) return;
      for (const entry of batch.entries) {
        const past = this.o.untilId !== null ? compareIds(entry.streamId, this.o.untilId) > 0 : until !== null && cursorMs(entry.streamId) > until;
        if (past) {
          this.ended = true;
          return;
        }
        const e = toBerthEvent(entry);
        if (e && matchesFilter(e, this.o)) this.buffer.push(e);
      }
      if (batch.last !== null) this.after = batch.last;
      // nothing more before `until`: the end (a read made with no wait left found nothing)
      else if (wait <= 0) this.ended = true;
    } catch (err) {
      if (this.closed) return;
      const e = toBerthError(err);
      if (e.code !== 'EUNAVAIL') throw e;
      // Redis away: the connection retries; read again from the same cursor
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
}
