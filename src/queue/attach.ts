/**
 * Attach (the seed's Attach and StartAndAttach; LIFECYCLE.md §2.4): a created or running
 * container's output from now on, as Node streams, its stdin when it was created with `stdin`
 * (-i), and the exit code of its run. With `start`, the stream position is anchored first and the
 * start queued after, so no output of the run is lost (`start -a`, the foreground run).
 * Everything travels through Redis (the output stream, the stdin transport): any machine can attach.
 * A detach stops reading and leaves the container running and its stdin open.
 */
import { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import { BerthError, noSuchContainer, stateError } from '../errors.js';
import { describeIssues } from '../spec.js';
import type { Inspect } from '../actors/inspect.js';
import type { ContainerRecord } from '../store/records.js';
import type { SourceStreams } from '../store/streams.js';
import type { LogSources } from './log-reader.js';
import { anchorOf, OutputFollower } from './output-follower.js';

export interface AttachOptions {
  /** Forward stdin, when the container was created with `stdin` (default true; --no-stdin: false). */
  stdin?: boolean;
  /** Start the container once attached (`start -a`): a configured, created, stopped or exited one. */
  start?: boolean;
}

const attachOptionsSchema = z
  .object({
    stdin: z.boolean({ error: 'stdin is true or false' }).optional(),
    start: z.boolean({ error: 'start is true or false' }).optional(),
  })
  .strict();

/** Bytes to one process's stdin on its node (the stdin transport's StdinWriter has this shape). */
export interface StdinSink {
  write(bytes: Buffer): Promise<void>;
  resize(rows: number, cols: number): Promise<void>;
  end(): Promise<void>;
  /** Frees what it holds (a pending write rejects); what was written stays sent. */
  close(): void;
}

export interface Attachment {
  readonly id: string;
  readonly name: string;
  /** The container has a terminal (-t): its output is all on stdout, and resize() reaches it. */
  readonly tty: boolean;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** The container's stdin (end() is EOF); null unless it was created with -i and stdin was asked for. */
  readonly stdin: Writable | null;
  /** The exit code of the run attached to, once it ends; null after a detach. */
  readonly exitCode: Promise<number | null>;
  /** A terminal's new window size (rows, columns). */
  resize(rows: number, cols: number): Promise<void>;
  /** Stops attaching: the streams end, the container runs on, its stdin stays open. */
  detach(): void;
}

/** What attach needs of the client. */
export interface AttachDeps extends LogSources {
  streams: SourceStreams;
  /** Queues the start and resolves once it is applied. */
  start(id: string): Promise<Inspect>;
  /** The exit code, once the container has stopped. */
  wait(id: string): Promise<number>;
  /** A writer to the container's stdin (the stdin transport); undefined where there is none. */
  stdinOf?(id: string): StdinSink;
}

/** States attach takes (the seed: created or running); `start` takes what start takes. */
const ATTACHABLE = new Set(['created', 'running']);
const STARTABLE = new Set(['configured', 'created', 'running', 'stopped', 'exited']);
const NEWLINE = Buffer.from('\n');

export async function attach(deps: AttachDeps, nameOrId: string, options: AttachOptions = {}): Promise<Attachment> {
  const parsed = attachOptionsSchema.safeParse(options);
  if (!parsed.success) throw new BerthError('EINVAL', `invalid attach options: ${describeIssues(parsed.error)}`, { command: 'attach' });
  const opts: AttachOptions = parsed.data;
  const command = opts.start ? 'start' : 'attach';
  const id = await deps.store.resolve(nameOrId);
  const record = await deps.store.get(id);
  if (!record || record.status === 'removed') throw noSuchContainer(nameOrId);
  if (!(opts.start ? STARTABLE : ATTACHABLE).has(record.status)) throw stateError(record.name, command, record.status);
  const follower = new OutputFollower(deps, id, await anchorOf(deps.streams, record));
  const sink = stdinSink(deps, record, opts);
  const session = new Session(deps, record, follower, sink, wantsStdin(record, opts));
  if (opts.start) {
    try {
      await deps.start(id);
    } catch (err) {
      session.detach();
      throw err;
    }
  }
  return session;
}

/**
 * The stdin transport to the container: for its stdin (created with -i, and asked for) and for a
 * terminal's window size (-t). Null when neither is wanted.
 */
function stdinSink(deps: AttachDeps, record: ContainerRecord, opts: AttachOptions): StdinSink | null {
  if (!wantsStdin(record, opts) && !record.spec.tty) return null;
  if (!deps.stdinOf) {
    if (!wantsStdin(record, opts)) return null; // a window size is then the terminal's first
    throw new BerthError('EUNSUPPORTED', `cannot attach to the stdin of container ${record.name}: this client has no stdin transport`, { container: record.name, command: 'attach' });
  }
  return deps.stdinOf(record.id);
}

const wantsStdin = (record: ContainerRecord, opts: AttachOptions) => opts.stdin !== false && record.spec.stdin;

/** A Readable fed by a pump that waits while its consumer has not read what it holds. */
class PumpedReadable extends Readable {
  private wanted: (() => void) | undefined;

  override _read(): void {
    const go = this.wanted;
    this.wanted = undefined;
    go?.();
  }

  /** Pushes `chunk`; resolves once more may be pushed. */
  put(chunk: Buffer): Promise<void> {
    if (this.push(chunk)) return Promise.resolve();
    return new Promise((resolve) => (this.wanted = resolve));
  }

  finish(): void {
    this.push(null);
    this._read();
  }
}

class Session implements Attachment {
  readonly id: string;
  readonly name: string;
  readonly tty: boolean;
  readonly stdout = new PumpedReadable();
  readonly stderr = new PumpedReadable();
  readonly stdin: Writable | null;
  readonly exitCode: Promise<number | null>;
  private detached = false;

  constructor(
    deps: AttachDeps,
    record: ContainerRecord,
    private readonly follower: OutputFollower,
    private readonly sink: StdinSink | null,
    withStdin: boolean,
  ) {
    this.id = record.id;
    this.name = record.name;
    this.tty = record.spec.tty;
    this.stdin = sink && withStdin
      ? new Writable({
          write: (chunk: Buffer, _enc, done) => void sink.write(chunk).then(() => done(), done),
          final: (done) => void sink.end().then(() => done(), done),
        })
      : null;
    this.exitCode = this.pump(deps);
    this.exitCode.catch(() => undefined); // the caller may only ever detach
  }

  private async pump(deps: AttachDeps): Promise<number | null> {
    try {
      for await (const line of this.follower) {
        const to = line.stream === 'stderr' ? this.stderr : this.stdout;
        await to.put(line.partial ? line.bytes : Buffer.concat([line.bytes, NEWLINE]));
      }
    } finally {
      this.stdout.finish();
      this.stderr.finish();
    }
    this.sink?.close();
    if (this.follower.end) return this.follower.end.exitCode;
    if (this.detached) return null;
    // removed, or ended without an end entry: what the store recorded
    return deps.wait(this.id);
  }

  resize(rows: number, cols: number): Promise<void> {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows > 65535 || cols > 65535) {
      return Promise.reject(new BerthError('EINVAL', `a window size is whole rows and columns from 1 to 65535, got ${rows}x${cols}`));
    }
    if (!this.tty) return Promise.resolve();
    if (!this.sink) return Promise.reject(new BerthError('EUNSUPPORTED', `cannot resize the terminal of container ${this.name}: this client has no stdin transport`, { container: this.name }));
    return this.sink.resize(rows, cols);
  }

  detach(): void {
    if (this.detached) return;
    this.detached = true;
    this.follower.close();
    // stdin stays open on the node: nothing more is written, and no EOF is sent
    this.stdin?.destroy();
    this.sink?.close();
  }
}
