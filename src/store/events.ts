/**
 * The events stream: one Redis stream entry per committed transition, carrying the container's
 * full new state and its per-container sequence number (the snapshot version). Waiters (`wait`,
 * `stop`, the inspector, `berth events`) read it through one EventFeed per process: a single
 * blocking XREAD on its own connection, fanned out in memory.
 */
import type { Redis } from 'ioredis';
import { BerthError, toBerthError } from '../errors.js';
import type { Keys } from './keys.js';
import { isUp } from './redis.js';

export interface TransitionEvent {
  /** Container Id, name and node. */
  id: string;
  name: string;
  node: string;
  /** Per-container sequence number of this transition (the snapshot version after it). */
  version: number;
  /** State paths before and after, e.g. "running" -> "running.pausing". */
  from: string;
  to: string;
  command: string;
  jobId: string;
  at: string;
  /** Time the step took (since the command began applying, or since the last status change). */
  ms: number;
  /** The health status the transition moved to, when it changed it (health checks). */
  health?: string;
  /** The container's inspect object after the transition. */
  state: Record<string, unknown> & { State: { Status: string; Activity: string; ExitCode: number; Error: string } };
}

export interface StreamEntry {
  streamId: string;
  event: TransitionEvent;
}

type Listener = (entry: StreamEntry) => void;

/** Stream entries as XREAD/XRANGE return them -> parsed events (a foreign or corrupt entry is skipped). */
export function parseEntries(reply: [string, string[]][]): StreamEntry[] {
  const out: StreamEntry[] = [];
  for (const [streamId, fields] of reply) {
    const i = fields.indexOf('data');
    if (i < 0 || i + 1 >= fields.length) continue;
    try {
      out.push({ streamId, event: JSON.parse(fields[i + 1]!) as TransitionEvent });
    } catch {
      // a foreign or corrupt entry is skipped, never fatal
    }
  }
  return out;
}

export class EventFeed {
  private readonly listeners = new Set<Listener>();
  /** The id the live loop reads after; null until the loop has anchored it to a real id. */
  private cursor: string | null = null;
  /** The earliest id a waiter asked to be fed from before the loop anchored. */
  private startFrom: string | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  /** `blocking` must be a connection of its own: XREAD BLOCK holds it. */
  constructor(
    private readonly redis: Redis,
    private readonly blocking: Redis,
    private readonly keys: Keys,
    private readonly blockMs = 2000,
  ) {}

  /** Entries after `cursor` (exclusive) that are already in the stream. */
  async range(cursor: string, count = 10_000): Promise<StreamEntry[]> {
    const reply = (await this.redis.xrange(this.keys.events, `(${cursor}`, '+', 'COUNT', String(count))) as [string, string[]][];
    return parseEntries(reply);
  }

  /**
   * Feeds `listener` every entry the live loop reads from now on. `from` (a stream id the caller
   * has read up to) makes a loop that has not started yet begin there, so nothing committed
   * between the caller's read and the loop's first XREAD is missed (with "$" it would be).
   */
  subscribe(listener: Listener, from?: string): () => void {
    this.listeners.add(listener);
    if (this.cursor === null && from !== undefined && (this.startFrom === undefined || compareIds(from, this.startFrom) < 0)) {
      this.startFrom = from;
    }
    this.running ??= this.loop();
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with the first entry after `cursor` that matches, whether it is already in the
   * stream or still to come. Never polls: the catch-up read and the live feed cover both.
   */
  waitFor(cursor: string, match: (e: TransitionEvent) => boolean, opts: { signal?: AbortSignal } = {}): Promise<TransitionEvent> {
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        unsubscribe();
        opts.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = () => finish(() => reject(new BerthError('ETIMEOUT', 'gave up waiting', { cause: opts.signal?.reason })));
      const unsubscribe = this.subscribe(({ streamId, event }) => {
        if (compareIds(streamId, cursor) > 0 && match(event)) finish(() => resolve(event));
      }, cursor);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.signal?.aborted) return onAbort();
      this.range(cursor).then(
        (entries) => {
          const hit = entries.find((e) => match(e.event));
          if (hit) finish(() => resolve(hit.event));
        },
        (err: unknown) => finish(() => reject(toBerthError(err))),
      );
    });
  }

  /** The stream's last id now ('0-0' when empty): where a loop with no earlier start begins. */
  private async lastId(): Promise<string> {
    for (;;) {
      try {
        const last = (await this.redis.xrevrange(this.keys.events, '+', '-', 'COUNT', '1')) as [string, string[]][];
        return last[0]?.[0] ?? '0-0';
      } catch {
        if (this.closed) return '0-0';
        await new Promise((r) => setTimeout(r, 200)); // transient: the connection retries
      }
    }
  }

  private async loop(): Promise<void> {
    const last = await this.lastId();
    // anchored in one synchronous step: a later subscriber is fed from this id on, and anything
    // before it that it needs is in the stream for its own catch-up read
    this.cursor = this.startFrom !== undefined && compareIds(this.startFrom, last) < 0 ? this.startFrom : last;
    while (!this.closed) {
      let reply: [string, [string, string[]][]][] | null;
      try {
        reply = (await this.blocking.xread('BLOCK', String(this.blockMs), 'STREAMS', this.keys.events, this.cursor)) as
          | [string, [string, string[]][]][]
          | null;
      } catch (err) {
        if (this.closed) return;
        // transient: the connection retries with backoff; keep the cursor and go on
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length > 0) this.cursor = entries[entries.length - 1]![0];
      for (const entry of parseEntries(entries)) for (const l of [...this.listeners]) l(entry);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    // a read pending on a connection between reconnection attempts never settles (redis.ts)
    const settles = isUp(this.blocking);
    this.blocking.disconnect();
    if (settles) await this.running?.catch(() => undefined);
  }
}

/** Orders two stream ids ("ms-seq"). */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}
