/**
 * The client's side of a process's stdin, from any machine: bytes, window sizes and EOF go, in
 * order, to the source's stdin stream (keys.source(id, session).stdin), which the node's forwarder
 * (stdin-forwarder.ts) empties into conmon. Bounded: once the node is BACKLOG entries (about 1 MiB)
 * behind, write() waits on the forwarder's ticks (XREAD BLOCK on stdinAck; no polling) until it
 * catches up. A stream nobody forwards (the process has ended) expires after STDIN_TTL_MS.
 */
import type { Redis } from 'ioredis';
import { BerthError } from '../errors.js';
import type { Keys, SourceKeys } from '../store/keys.js';
import { isWindowSize, STDIN_ENTRY_MAX, stdinFields, type StdinEntry, WINDOW_MAX } from './stdin-entries.js';

/** A process's stdin: the container's own (no session) or an exec session's. */
export interface SourceRef {
  container: string;
  session?: string;
}

/** Entries the stream may hold before write() waits: 32 of at most 32 KiB. */
export const STDIN_BACKLOG = 32;
/** How long a stream nobody empties is kept after its last write. */
export const STDIN_TTL_MS = 60 * 60 * 1000;
/** The longest one wait blocks before the backlog is looked at again (a lost tick costs no more). */
const WAIT_MS = 2000;

export class StdinWriter {
  private readonly k: SourceKeys;
  private waiter: Redis | undefined;
  private closed = false;
  private ended = false;
  /** One entry at a time, in call order. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    keys: Keys,
    readonly ref: SourceRef,
  ) {
    this.k = keys.source(ref.container, ref.session);
  }

  /** Sends `bytes` to the process's stdin; resolves once Redis holds them. */
  write(bytes: Buffer | Uint8Array | string): Promise<void> {
    const all = typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const pieces: Buffer[] = [];
    for (let at = 0; at < all.length; at += STDIN_ENTRY_MAX) pieces.push(all.subarray(at, at + STDIN_ENTRY_MAX));
    return this.enqueue(pieces.map((b) => ({ kind: 'data', bytes: Buffer.from(b) })));
  }

  /** Sets the size of the process's terminal (a -t process; others ignore it). */
  resize(rows: number, cols: number): Promise<void> {
    if (!isWindowSize(rows) || !isWindowSize(cols)) {
      return Promise.reject(new BerthError('EINVAL', `a window size is 1 to ${WINDOW_MAX} rows and columns, got ${rows}x${cols}`));
    }
    return this.enqueue([{ kind: 'resize', rows, cols }]);
  }

  /** EOF: the process's stdin is closed once everything written before has reached it. */
  end(): Promise<void> {
    if (this.ended) return this.chain;
    const done = this.enqueue([{ kind: 'eof' }]);
    this.ended = true;
    return done;
  }

  /** Stops waiting (a pending write rejects) and frees the connection it waits on. */
  close(): void {
    this.closed = true;
    if (this.waiter) this.waiter.disconnect();
    this.waiter = undefined;
  }

  private enqueue(entries: StdinEntry[]): Promise<void> {
    if (this.ended) return Promise.reject(new BerthError('EINVAL', 'stdin was already ended'));
    const next = this.chain.then(async () => {
      for (const e of entries) await this.send(e);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async send(e: StdinEntry): Promise<void> {
    if (e.kind === 'data') await this.room();
    if (this.closed) throw new BerthError('EINTERNAL', 'the stdin writer was closed');
    await this.redis
      .multi()
      .xadd(this.k.stdin, '*', ...stdinFields(e))
      .pexpire(this.k.stdin, STDIN_TTL_MS)
      .exec();
  }

  /** Waits while the forwarder is STDIN_BACKLOG entries behind. */
  private async room(): Promise<void> {
    for (;;) {
      if (this.closed) throw new BerthError('EINTERNAL', 'the stdin writer was closed');
      // the tick read before the length: a tick after it wakes the wait below
      const last = (await this.redis.xrevrange(this.k.stdinAck, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
      if ((await this.redis.xlen(this.k.stdin)) < STDIN_BACKLOG) return;
      this.waiter ??= this.redis.duplicate();
      await this.waiter.xread('BLOCK', WAIT_MS, 'STREAMS', this.k.stdinAck, last).catch((err: unknown) => {
        if (!this.closed) throw err;
      });
    }
  }
}
