/**
 * The writer side of the output streams (invariant 10): a node's worker tails each container's
 * conmon k8s-file log and appends its lines, as bytes, to the container's output stream
 * (store/streams.ts). One fs.watch (inotify) on the logs dir wakes it; nothing polls.
 *
 * Resumable and safe in a pool: every append is compare-and-set on the file position the batch
 * was read from (appendOutput Lua), so sibling workers that race on a change, or a worker
 * restarted after SIGKILL, ship each line exactly once. A loser learns the stream's position and
 * reads again from there. At start every log in the dir is caught up (a container whose stream is
 * empty is shipped from offset 0). A line still open (no newline yet) waits `partialMs` for its
 * end, then goes out as a partial line.
 *
 * A run's end: after conmon records the exit (its log is complete by then), `end()` drains the
 * log to EOF and appends the end entry with the exit code, once per run, before the exit is
 * queued (exits.ts); so a container seen stopped has all its output in the stream.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, open, readdir, type FileHandle } from 'node:fs/promises';
import type { Logger } from '../log.js';
import { K8sLogParser, type LogRecordLine } from '../oci/k8s-log.js';
import type { ExitRecord, LogFiles } from '../oci/types.js';
import { EMPTY_POSITION, type AppendArgs, type AppendOutcome, type StreamEnd, type StreamPosition } from '../store/streams.js';

/** Where a shipper appends: a source's position and its appends, by the source's name in the log files. */
export interface ShipperStreams {
  position(source: string): Promise<StreamPosition>;
  append(a: AppendArgs): Promise<AppendOutcome>;
}

export interface ShipperOptions {
  files: LogFiles | null;
  streams: ShipperStreams;
  /** Entries each output stream keeps (MAXLEN ~). */
  maxLines: number;
  log: Logger;
  /** How long an open line (no newline yet) waits for its end before it is passed on as partial. */
  partialMs?: number;
}

/** Bytes read from a log at a time, and about the most one append carries. */
const READ_BYTES = 256 * 1024;
/** Lines one append carries at most. */
const BATCH_LINES = 512;
const PARTIAL_MS = 200;

interface Tail {
  /** The stream's position as last seen; null until read. */
  position: StreamPosition | null;
  /** Parses on from the position (past an open line it holds), for the file generation `gen`. */
  parser: K8sLogParser | null;
  gen: string;
  /** The tail of this container's chain of passes: one at a time. */
  chain: Promise<void>;
  /** A pass is queued and has not begun: further changes need no other. */
  queued: boolean;
  /** The open line waits until this fires. */
  timer: NodeJS.Timeout | undefined;
  flushDue: boolean;
}

type Outcome = 'done' | 'conflict' | 'gone';

export class OutputShipper {
  private readonly tails = new Map<string, Tail>();
  private watcher: FSWatcher | undefined;
  private closed = false;
  private readonly partialMs: number;

  constructor(private readonly o: ShipperOptions) {
    this.partialMs = o.partialMs ?? PARTIAL_MS;
  }

  /** Watches the logs dir, then catches every log in it up. */
  async start(): Promise<void> {
    const files = this.o.files;
    if (!files) return;
    await mkdir(files.dir, { recursive: true });
    this.watcher = watch(files.dir, { recursive: files.recursive === true }, (_event, name) => {
      const id = name ? files.idOf(name.toString()) : null;
      if (id) this.schedule(id);
    });
    this.watcher.on('error', (err) => this.o.log.warn({ err }, 'cannot watch the logs dir; output is shipped at exits only'));
    await this.catchUp();
  }

  /** Ships what every log in the dir has beyond its stream (at start; again when Redis is back). */
  async catchUp(): Promise<void> {
    const files = this.o.files;
    if (!files || this.closed) return;
    for (const name of await readdir(files.dir, { recursive: files.recursive === true })) {
      const id = files.idOf(name);
      if (id) this.schedule(id);
    }
  }

  /**
   * The run `exit` ends: ships the rest of its output (an open line as partial) and then its end
   * entry. Rejects only when Redis does (the exit is delivered again); a log that cannot be read
   * is reported and the end appended anyway.
   */
  end(exit: ExitRecord): Promise<void> {
    const end: StreamEnd = { run: exit.run ?? 0, exitCode: exit.code, at: exit.at };
    const t = this.tail(exit.id);
    clearTimeout(t.timer);
    t.timer = undefined;
    return this.enqueue(t, () => this.pass(exit.id, t, end));
  }

  /** Stops watching and waits for the passes under way. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    for (const t of this.tails.values()) clearTimeout(t.timer);
    await Promise.all([...this.tails.values()].map((t) => t.chain));
  }

  private tail(id: string): Tail {
    let t = this.tails.get(id);
    if (!t) {
      t = { position: null, parser: null, gen: '', chain: Promise.resolve(), queued: false, timer: undefined, flushDue: false };
      this.tails.set(id, t);
    }
    return t;
  }

  /** A change of the container's log: one pass, unless one is queued already. */
  private schedule(id: string, flush = false): void {
    if (this.closed) return;
    const t = this.tail(id);
    if (flush) t.flushDue = true;
    if (t.queued) return;
    t.queued = true;
    this.enqueue(t, async () => {
      t.queued = false;
      if (!this.closed) await this.pass(id, t);
    }).catch((err: unknown) => this.o.log.warn({ err, container: id }, 'could not ship output; the next change tries again'));
  }

  private enqueue(t: Tail, job: () => Promise<void>): Promise<void> {
    const run = t.chain.then(job);
    t.chain = run.catch(() => undefined);
    return run;
  }

  /** Ships from the stream's position to the log's end; again from where a sibling left it on a conflict. */
  private async pass(id: string, t: Tail, end?: StreamEnd): Promise<void> {
    const flush = end !== undefined || t.flushDue;
    t.flushDue = false;
    try {
      for (;;) {
        const outcome = await this.ship(id, t, flush, end);
        if (outcome === 'conflict') {
          t.parser = null; // read again from the position the stream is at
          continue;
        }
        if (outcome === 'gone') this.forget(id, t);
        else this.armFlush(id, t);
        return;
      }
    } catch (err) {
      // the parser may hold lines that never reached the stream: read again from its position
      t.parser = null;
      t.position = null;
      if (flush) t.flushDue = true;
      throw err;
    }
  }

  private async ship(id: string, t: Tail, flush: boolean, end: StreamEnd | undefined): Promise<Outcome> {
    const fh = await this.openLog(id).catch((err: unknown) => {
      if (!end) throw err;
      this.o.log.warn({ err, container: id }, 'cannot open the container log; its end is recorded without the rest');
      return null;
    });
    // no log (removed, or a runtime without files): only the end, if this is one
    if (!fh) {
      // a stream not read yet is taken to be empty: a conflict says where it is otherwise
      t.position ??= EMPTY_POSITION;
      return end ? this.append(id, t, t.position.gen, [], end) : 'gone';
    }
    try {
      const { ino, birthtimeMs, size } = await fileOp(() => fh.stat());
      // an empty log (a silent container's end, say) spares reading where its stream is
      t.position ??= size === 0 ? EMPTY_POSITION : await this.o.streams.position(id);
      // the inode tells files apart; its birth time, an inode number used again
      const gen = `${ino}@${Math.round(birthtimeMs * 1000)}`;
      if (!t.parser || t.gen !== gen) {
        const at = t.position!;
        // the same file: on from the position; a new file (or one cut short): from its start
        t.parser = new K8sLogParser(at.gen === gen && size >= at.offset ? at.offset : 0);
        t.gen = gen;
      }
      const parser = t.parser;
      const buf = Buffer.allocUnsafe(READ_BYTES);
      let batch: LogRecordLine[] = [];
      let bytes = 0;
      for (;;) {
        const { bytesRead } = await fileOp(() => fh.read(buf, 0, buf.length, parser.offset));
        if (bytesRead === 0) break;
        for (const line of parser.push(buf.subarray(0, bytesRead))) {
          batch.push(line);
          bytes += line.bytes.length;
        }
        if (batch.length >= BATCH_LINES || bytes >= READ_BYTES) {
          const outcome = await this.append(id, t, gen, batch);
          if (outcome !== 'done') return outcome;
          batch = [];
          bytes = 0;
        }
      }
      const open = flush ? parser.flush() : null;
      if (open) batch.push(open);
      return await this.append(id, t, gen, batch, end);
    } catch (err) {
      if (!end || !(err instanceof LogReadError)) throw err;
      this.o.log.warn({ err, container: id }, 'cannot read the container log; its end is recorded without the rest');
      t.position ??= await this.o.streams.position(id);
      return this.append(id, t, t.position.gen, [], end);
    } finally {
      await fh.close();
    }
  }

  private async openLog(id: string): Promise<FileHandle | null> {
    if (!this.o.files) return null;
    try {
      return await open(this.o.files.path(id), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  private async append(id: string, t: Tail, gen: string, lines: LogRecordLine[], end?: StreamEnd): Promise<Outcome> {
    if (lines.length === 0 && !end) return 'done';
    const at = t.position!;
    const to = lines.length > 0 ? lines[lines.length - 1]!.end : at.offset;
    const r = await this.o.streams.append({
      id,
      expect: at,
      gen: lines.length > 0 ? gen : at.gen,
      to,
      maxLen: this.o.maxLines,
      lines: lines.map(({ stream, time, bytes, partial }) => ({ stream, time, bytes, partial })),
      ...(end ? { end } : {}),
    });
    if (r.kind === 'gone') return 'gone';
    t.position = r.position;
    if (r.kind === 'conflict') this.o.log.debug({ container: id, position: r.position }, 'a sibling shipped first; reading on from its position');
    return r.kind === 'appended' ? 'done' : 'conflict';
  }

  /** An open line waits `partialMs` for its newline; one that completes in time goes out whole. */
  private armFlush(id: string, t: Tail): void {
    if (!t.parser?.pending) {
      clearTimeout(t.timer);
      t.timer = undefined;
    } else if (!t.timer && !this.closed) {
      t.timer = setTimeout(() => {
        t.timer = undefined;
        this.schedule(id, true);
      }, this.partialMs);
      t.timer.unref();
    }
  }

  /** The container's log is gone (removed): its tail is dropped; a new log starts a new one. */
  private forget(id: string, t: Tail): void {
    clearTimeout(t.timer);
    if (this.tails.get(id) === t) this.tails.delete(id);
  }
}

/** A log that could not be read, told apart from Redis failures (an end is retried only for those). */
class LogReadError extends Error {
  constructor(cause: unknown) {
    super(`cannot read the log: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

async function fileOp<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw new LogReadError(err);
  }
}
