/**
 * Attach's read of a container's output (invariant 10): from an anchor on, as it comes, until the
 * end entry of the run the attach is for. The anchor is the stream's last entry when the attach
 * began, taken before a start is queued (`start -a`, the foreground run), so nothing the run writes
 * is missed and nothing from before is repeated. Pull-based like logs (log-reader.ts): a batch is
 * read when the consumer asks for more; the blocking read holds a connection of its own, which
 * `close()` drops at once (a detach).
 *
 * It ends at the run's end entry (`end` then holds its exit code); without one when the container
 * is removed, or rests stopped after that run without an end (a run ended behind Berth's back:
 * the caller asks `wait`). A node lost meanwhile is EUNAVAIL.
 */
import type { Redis } from 'ioredis';
import { BerthError, toBerthError } from '../errors.js';
import { persistedRun } from '../actors/snapshot.js';
import type { ContainerRecord } from '../store/records.js';
import type { SourceStreams, StreamEnd } from '../store/streams.js';
import type { LogLine, LogSources } from './log-reader.js';

/** States whose run has not ended: the attach waits for that run's end. */
const IN_RUN = new Set(['created', 'running', 'paused', 'stopping']);
/** How long a read blocks before the container is looked at again. */
const BLOCK_MS = 5000;
const COUNT = 256;

/** Where an attach begins: after stream entry `after`, waiting for the end of run `run` (or a later one). */
export interface Anchor {
  after: string;
  run: number;
}

/**
 * The anchor for a container as it is now: the stream's end, and its current run when that run is
 * still going, else the next one (a start makes it).
 */
export async function anchorOf(streams: SourceStreams, record: ContainerRecord): Promise<Anchor> {
  const after = (await streams.lastId(streams.outputKey(record.id))) ?? '0-0';
  const run = persistedRun(record.snapshot) ?? 0;
  return { after, run: IN_RUN.has(record.status) ? run : run + 1 };
}

export class OutputFollower implements AsyncIterable<LogLine> {
  /** The end entry the read stopped at; null when it stopped otherwise. */
  end: StreamEnd | null = null;
  private conn: Redis | undefined;
  private closed = false;

  constructor(
    private readonly src: LogSources,
    private readonly id: string,
    private readonly anchor: Anchor,
  ) {}

  /** Stops reading now (a blocked read included); the iteration ends without an end. */
  close(): void {
    this.closed = true;
    this.conn?.disconnect();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<LogLine, void, undefined> {
    const { streams } = this.src;
    const key = streams.outputKey(this.id);
    let after = this.anchor.after;
    try {
      while (!this.closed) {
        const batch = await streams.read((this.conn ??= this.src.blocking()), key, after, COUNT, BLOCK_MS);
        if (!batch.last) {
          if (await this.over()) {
            // an end appended just before the state was looked at is still read
            const rest = await streams.range(key, `(${after}`, '+', COUNT);
            for (const e of rest.entries) if (e.kind === 'end' && e.end.run >= this.anchor.run) this.end = e.end;
            return;
          }
          continue;
        }
        after = batch.last;
        for (const e of batch.entries) {
          if (e.kind === 'end') {
            if (e.end.run < this.anchor.run) continue;
            this.end = e.end;
            return;
          }
          const { stream, time, bytes, partial } = e.line;
          yield { stream, time, bytes, partial, text: bytes.toString('utf8') };
        }
      }
    } catch (err) {
      if (this.closed) return;
      throw toBerthError(err);
    } finally {
      this.conn?.disconnect();
    }
  }

  /** Nothing came for a while: is there nothing more to wait for? */
  private async over(): Promise<boolean> {
    const record = await this.src.store.get(this.id);
    if (!record || record.status === 'removed') return true;
    if (!(await this.src.nodes.isLive(record.node))) {
      throw new BerthError('EUNAVAIL', `node ${record.node} of container ${record.name} is lost: no output can come`, { container: record.name, command: 'attach' });
    }
    return !IN_RUN.has(record.status) && (persistedRun(record.snapshot) ?? 0) >= this.anchor.run;
  }
}
