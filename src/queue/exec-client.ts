/**
 * The client side of an exec session (`client.exec`): the session id is made here (64 hex
 * digits) and sent in the job, so the session's output stream (keys.source(id, session).output)
 * is read from its first entry, from any machine, while the command is still on its way. The
 * stream's lines go to two Node Readables in order, pulled a batch at a time only as the consumer
 * reads (a slow reader never grows memory here, and the stream in Redis is bounded by its
 * MAXLEN); its end entry carries the exit code. A session that cannot be started rejects
 * `exitCode` with the command's error (EOCI with runc's words: 127 not found, 126 cannot be run,
 * errors.execFailureCode; ECTRSTATE for a container that is not running).
 */
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { BerthError, toBerthError } from '../errors.js';
import type { ContainerStore } from '../store/containers.js';
import type { EventFeed } from '../store/events.js';
import { persistedExecs } from './exec-inspect.js';
import type { StdinWriter } from './stdin-writer.js';

/** A session's stdin: a Writable (end() is EOF) that also sets the terminal's size. */
export type ExecStdin = Writable & { resize(rows: number, cols: number): Promise<void> };

/** The stdin transport's writer as a Node Writable: each write resolves once Redis holds it (bounded). */
export function stdinWritable(w: StdinWriter): ExecStdin {
  const stream = new Writable({
    write: (chunk: Buffer, _enc, cb) => void w.write(chunk).then(() => cb(), cb),
    final: (cb) => void w.end().then(() => cb(), cb),
    destroy: (err, cb) => {
      w.close();
      cb(err);
    },
  });
  return Object.assign(stream, { resize: (rows: number, cols: number) => w.resize(rows, cols) });
}
import type { Keys } from '../store/keys.js';
import type { SourceStreams } from '../store/streams.js';

export interface ExecOptions {
  /** Forward stdin (the returned `stdin` is a Writable; end() is EOF). */
  stdin?: boolean;
  /** A pseudo-terminal, of `rows` x `cols` when given. */
  tty?: boolean;
  rows?: number;
  cols?: number;
  /** KEY=VALUE entries (or an object), over the container's own. */
  env?: string[] | Record<string, string>;
  /** Absolute; default the container's. */
  workdir?: string;
  /** USER[:GROUP], names or numbers; default the container's. */
  user?: string;
  /** Start it and resolve with the session (`podman exec -d`): no streams are read. */
  detach?: boolean;
}

export interface ExecHandle {
  /** The session id (64 hex digits): `berth exec inspect` takes it. */
  id: string;
  stdout: Readable;
  stderr: Readable;
  /** The process's stdin with `stdin: true` (end() is EOF), else null. */
  stdin: ExecStdin | null;
  /** The process's exit code; rejects when it could not be started (a BerthError). */
  exitCode: Promise<number>;
  /** Resolves once runc has started the process; rejects as `exitCode` does when it could not. */
  started: Promise<void>;
}

/** What the session needs of the client. */
export interface ExecDeps {
  keys: Keys;
  store: ContainerStore;
  streams: SourceStreams;
  /** A connection of the session's own for blocking reads; closed when the session ends. */
  blocking(): Redis;
  /** Queues the exec command; resolves once the process runs, rejects when it cannot. */
  start(args: Record<string, unknown>): Promise<void>;
  /** The events feed: the exit code is given once the session has left the container's state. */
  events(): EventFeed;
  /** The stdin transport's writer, for `stdin: true`. */
  stdinWriter?(container: string, session: string): ExecStdin;
}

/** Entries one read brings at most. */
const BATCH = 256;
/** A reader waiting this long with nothing new checks that the container is still there. */
const BLOCK_MS = 5000;

export function newSessionId(): string {
  return randomBytes(32).toString('hex');
}

export function execArgs(session: string, command: string[], o: ExecOptions): Record<string, unknown> {
  return {
    session,
    argv: command,
    ...(o.env === undefined ? {} : { env: o.env }),
    ...(o.workdir === undefined ? {} : { workdir: o.workdir }),
    ...(o.user === undefined ? {} : { user: o.user }),
    ...(o.tty ? { tty: true } : {}),
    ...(o.stdin ? { stdin: true } : {}),
    ...(o.tty && o.rows && o.cols ? { rows: o.rows, cols: o.cols } : {}),
  };
}

/** Starts the session's reader and its command side by side; `container` resolves to its Id. */
export function openExec(d: ExecDeps, container: string, session: string, args: Record<string, unknown>, o: ExecOptions): ExecHandle {
  let wake: () => void = () => {};
  const pull = () => wake();
  const stdout = new Readable({ read: pull });
  const stderr = new Readable({ read: pull });
  let stopped = false;
  const conn = d.blocking();
  // the streams end either way: an error is the exit code's to tell (no 'error' event a consumer must handle)
  const finish = () => {
    stopped = true;
    wake();
    conn.disconnect();
    stdout.push(null);
    stderr.push(null);
  };
  const started = d.start(args);
  started.catch(() => undefined);
  const key = d.keys.source(container, session).output;
  // a removed container's sessions get no end (their appends are refused): the reader stops on its own
  const gone = async () => {
    const record = await d.store.get(container);
    return !record || record.status === 'removed';
  };
  const read = async (): Promise<number> => {
    let after = '0';
    for (;;) {
      if (stopped) throw new BerthError('EINTERNAL', `exec session ${session} was closed`);
      const batch = await d.streams.read(conn, key, after, BATCH, BLOCK_MS);
      after = batch.last ?? after;
      if (batch.entries.length === 0 && (await gone())) throw new BerthError('ENOCTR', `container ${container} was removed during exec session ${session}`, { container, command: 'exec' });
      for (const e of batch.entries) {
        if (e.kind === 'end') return e.end.exitCode;
        const bytes = e.line.partial ? e.line.bytes : Buffer.concat([e.line.bytes, Buffer.from('\n')]);
        const to = e.line.stream === 'stderr' ? stderr : stdout;
        // a reader that does not keep up: wait until it asks for more (nothing else is read meanwhile)
        if (!to.push(bytes)) await new Promise<void>((r) => (wake = r));
      }
    }
  };
  // the session has left the container's state (ExecIDs, exec inspect) by the time its code is given
  const left = async () => {
    const { record, cursor } = await d.store.readWithCursor(container);
    if (!record || record.status === 'removed' || persistedExecs(record)[session]?.running !== true) return;
    await d.events().waitFor(cursor, (e) => e.id === container && (e.state.State.Status === 'removed' || !((e.state as { ExecIDs?: string[] }).ExecIDs ?? []).includes(session)));
  };
  // the command's failure (never started) wins over the reader, which would wait for an end that never comes
  const exitCode = new Promise<number>((resolve, reject) => {
    started.catch((err: unknown) => reject(toBerthError(err)));
    read().then(
      (code) => left().then(() => resolve(code), reject),
      (err: unknown) => reject(toBerthError(err)),
    );
  });
  exitCode.then(finish, finish);
  const stdin = o.stdin && d.stdinWriter ? d.stdinWriter(container, session) : null;
  const running = started.catch((err: unknown) => Promise.reject(toBerthError(err)));
  running.catch(() => undefined);
  return { id: session, stdout, stderr, stdin, exitCode, started: running };
}
