/**
 * An in-memory OciRuntime for machine and worker unit tests: no runc, no conmon, no files (but
 * k8s-file logs in `logDir` when asked, for the output shipper's tests).
 * Containers follow runc's status transitions and refuse what runc refuses, with runc's messages.
 * Tests drive exits with `fake.exit(id, code)`, which the fake's own ExitMonitor (`fake.monitor`)
 * reports like conmon's exit file; `failNext(verb)` makes the next call of a verb fail.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError, type ErrorCode } from '../errors.js';
import { parseSignal } from '../signals.js';
import type { CallOptions, ExecExitMonitor, ExecExitRecord, ExecSpec, ExitMonitor, ExitRecord, LogFiles, OciRuntime, RuntimePaths, RuntimeSpec, RuntimeState, RuntimeStatus } from './types.js';

export interface FakeContainer {
  spec: RuntimeSpec;
  status: RuntimeStatus;
  pid: number;
  /** Signals delivered, canonical names, in order. */
  signals: string[];
  /** Signals sent while paused, delivered on resume (as the kernel does after thawing). */
  pendingSignals: string[];
}

export interface FakeCall {
  verb: string;
  id?: string;
  args: readonly unknown[];
}

/** A call held in the fake runtime (holdNext). */
export interface FakeHold {
  /** Resolves when the call has arrived and is waiting. */
  reached: Promise<void>;
  /** Lets it go on. */
  release(): void;
  /** Its signal aborted it. */
  aborted: boolean;
}

export interface FakeRuntimeOptions {
  /** Signals that end the container and the code they exit with; default `{ SIGKILL: 137 }` (PID 1 ignores TERM). */
  signalExits?: Readonly<Record<string, number>>;
  /** Exit code recorded for `delete --force` of a live container; default 137. */
  forceDeleteCode?: number;
  /** A dir for k8s-file logs that `writeRecord` appends to, as conmon would (default: no log files). */
  logDir?: string;
}

export class FakeRuntime implements OciRuntime {
  readonly name = 'fake';
  readonly logFiles: LogFiles | null;
  readonly execLogFiles = null;
  /** Exec sessions started, by session id (`execExit` ends one, as its conmon would). */
  readonly execs = new Map<string, { id: string; spec: ExecSpec; pid: number }>();
  private readonly execListeners = new Set<(exit: ExecExitRecord) => void>();
  /** Reports the exits `execExit` makes (a worker's `execMonitor`). */
  readonly execMonitor: ExecExitMonitor = {
    start: async (onExit) => void this.execListeners.add(onExit),
    close: async () => this.execListeners.clear(),
  };
  readonly stdio = null;
  /** Keeps nothing on the node. */
  readonly paths: RuntimePaths = Object.freeze({ private: Object.freeze([]) });
  readonly containers = new Map<string, FakeContainer>();
  readonly calls: FakeCall[] = [];
  readonly monitor: ExitMonitor;
  private readonly exits = new Map<string, ExitRecord>();
  private readonly failures = new Map<string, BerthError>();
  private readonly holds = new Map<string, FakeHold & { arrive(): void; wait: Promise<void> }>();
  private readonly listeners = new Set<(exit: ExitRecord) => void>();
  private readonly signalExits: Readonly<Record<string, number>>;
  private readonly forceDeleteCode: number;
  private nextPid = 1000;

  constructor(options: FakeRuntimeOptions = {}) {
    this.signalExits = options.signalExits ?? { SIGKILL: 137 };
    this.forceDeleteCode = options.forceDeleteCode ?? 137;
    const dir = options.logDir;
    this.logFiles = dir === undefined ? null : { dir, path: (id) => join(dir, `${id}.log`), idOf: (f) => /^(.+)\.log$/.exec(f)?.[1] ?? null };
    const listeners = this.listeners;
    const exits = this.exits;
    let mine: ((exit: ExitRecord) => void) | undefined;
    this.monitor = {
      async start(onExit) {
        mine = onExit;
        listeners.add(onExit);
        for (const exit of exits.values()) onExit(exit);
      },
      async close() {
        if (mine) listeners.delete(mine);
        mine = undefined;
      },
    };
  }

  /** The next call of `verb` fails with this error (runc's words by default). */
  failNext(verb: string, message = `runc ${verb} failed: injected failure`, code: ErrorCode = 'EOCI'): void {
    this.failures.set(verb, new BerthError(code, message, { command: verb }));
  }

  /**
   * The next call of `verb` (start, kill, pause, resume) waits in the runtime until `release()`; if
   * its signal aborts first, it rejects with the signal's reason, as an aborted runc process does.
   */
  holdNext(verb: string): FakeHold {
    let arrive = () => {};
    let release = () => {};
    const reached = new Promise<void>((r) => (arrive = r));
    const wait = new Promise<void>((r) => (release = r));
    const hold = { reached, release, arrive, wait, aborted: false };
    this.holds.set(verb, hold);
    return hold;
  }

  private async gate(verb: string, signal: AbortSignal | undefined): Promise<void> {
    const hold = this.holds.get(verb);
    if (!hold) return;
    this.holds.delete(verb);
    hold.arrive();
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        hold.aborted = true;
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      void hold.wait.then(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** Ends the container's process with `code`, as conmon would record it, and notifies monitors. */
  exit(id: string, code: number, opts: { oomKilled?: boolean; at?: string } = {}): ExitRecord {
    const c = this.get('exit', id);
    if (c.status === 'stopped') throw new BerthError('EOCI', `container ${id} has already exited`);
    c.status = 'stopped';
    c.pid = 0;
    const exit: ExitRecord = { id, code, at: opts.at ?? new Date().toISOString(), oomKilled: opts.oomKilled ?? false, run: c.spec.run };
    this.exits.set(id, exit);
    for (const listener of [...this.listeners]) listener(exit);
    return exit;
  }

  /** Appends one k8s-file record to the container's log file (needs `logDir`), as conmon would. */
  writeRecord(id: string, stream: 'stdout' | 'stderr', bytes: Buffer | string, opts: { partial?: boolean; time?: string } = {}): void {
    if (!this.logFiles) throw new BerthError('EINVAL', 'the fake runtime was made without `logDir`');
    const head = `${opts.time ?? new Date().toISOString()} ${stream} ${opts.partial ? 'P' : 'F'} `;
    appendFileSync(this.logFiles.path(id), Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from('\n')]));
  }

  async create(spec: RuntimeSpec, _opts?: CallOptions): Promise<{ pid: number }> {
    this.record('create', spec.id, [spec]);
    if (this.containers.has(spec.id)) throw this.runcError('create', `container with id exists: ${spec.id}`);
    this.exits.delete(spec.id);
    const pid = this.nextPid++;
    this.containers.set(spec.id, { spec, status: 'created', pid, signals: [], pendingSignals: [] });
    if (spec.layers) this.mounted.add(spec.id);
    return { pid };
  }

  async start(id: string, opts?: CallOptions): Promise<void> {
    this.record('start', id, []);
    await this.gate('start', opts?.signal);
    const c = this.get('start', id);
    if (c.status === 'stopped') throw this.runcError('start', 'cannot start a container that has stopped');
    if (c.status !== 'created') throw this.runcError('start', `cannot start a container in the ${c.status} state`);
    c.status = 'running';
  }

  async kill(id: string, signal: string, opts?: CallOptions): Promise<void> {
    const { name } = parseSignal(signal);
    this.record('kill', id, [name]);
    await this.gate('kill', opts?.signal);
    const c = this.get('kill', id);
    if (c.status === 'stopped') throw this.runcError('kill', 'container not running');
    if (c.status === 'paused') {
      c.pendingSignals.push(name);
      return;
    }
    this.deliver(id, c, name);
  }

  async pause(id: string, opts?: CallOptions): Promise<void> {
    this.record('pause', id, []);
    await this.gate('pause', opts?.signal);
    const c = this.get('pause', id);
    if (c.status !== 'running') throw this.runcError('pause', 'container not running');
    c.status = 'paused';
  }

  async resume(id: string, opts?: CallOptions): Promise<void> {
    this.record('resume', id, []);
    await this.gate('resume', opts?.signal);
    const c = this.get('resume', id);
    if (c.status !== 'paused') throw this.runcError('resume', 'container not paused');
    c.status = 'running';
    for (const name of c.pendingSignals.splice(0)) if (c.status === 'running') this.deliver(id, c, name);
  }

  async delete(id: string, opts: CallOptions & { force?: boolean; keepStorage?: boolean } = {}): Promise<void> {
    this.record('delete', id, [{ force: opts.force === true, ...(opts.keepStorage ? { keepStorage: true } : {}) }]);
    if (!opts.keepStorage) this.mounted.delete(id); // the cleanup's release, unless a mount is counted
    const c = this.containers.get(id);
    if (!c) return;
    if (c.status === 'running' || c.status === 'paused') {
      if (!opts.force) throw this.runcError('delete', `cannot delete container ${id} that is not stopped: ${c.status}`);
      this.exit(id, this.forceDeleteCode);
    }
    this.containers.delete(id);
  }

  async state(id: string, _opts?: CallOptions): Promise<RuntimeState | null> {
    this.record('state', id, []);
    const c = this.containers.get(id);
    return c ? { id, status: c.status, pid: c.pid } : null;
  }

  async list(_opts?: CallOptions): Promise<RuntimeState[]> {
    this.record('list', undefined, []);
    return [...this.containers.entries()].map(([id, c]) => ({ id, status: c.status, pid: c.pid }));
  }

  async readExit(id: string): Promise<ExitRecord | null> {
    this.record('readExit', id, []);
    return this.exits.get(id) ?? null;
  }

  async clearExit(id: string): Promise<void> {
    this.record('clearExit', id, []);
    this.exits.delete(id);
  }

  async purge(id: string): Promise<void> {
    this.record('purge', id, []);
    this.exits.delete(id);
    this.mounted.delete(id);
  }
  /** The containers whose overlay is mounted (as runc's adapter's: mount, create with layers; delete, unmount, purge). */
  readonly mounted = new Set<string>();
  mount = async (id: string, layers: readonly string[]): Promise<void> => void (this.record('mount', id, [layers]), this.mounted.add(id));
  unmount = async (id: string): Promise<void> => void (this.record('unmount', id, []), this.mounted.delete(id));

  /** The fake has no CRIU: checkpoint and restore are refused before they reach it. */
  checkpointSupport = async (): Promise<string | null> => 'the fake runtime has no CRIU';
  async checkpoint(id: string, _opts?: CallOptions): Promise<void> {
    this.record('checkpoint', id, []);
    this.get('checkpoint', id);
    throw new BerthError('EUNSUPPORTED', `cannot checkpoint container ${id}: the fake runtime has no CRIU`, { container: id, command: 'checkpoint' });
  }
  async restore(spec: RuntimeSpec): Promise<{ pid: number }> {
    this.record('restore', spec.id, []);
    throw new BerthError('EUNSUPPORTED', `cannot restore container ${spec.id}: the fake runtime has no CRIU`, { container: spec.id, command: 'restore' });
  }

  async exec(id: string, spec: ExecSpec, opts?: CallOptions): Promise<{ pid: number }> {
    this.record('exec', id, [spec]);
    await this.gate('exec', opts?.signal);
    if (this.get('exec', id).status !== 'running') throw this.runcError('exec', 'cannot exec in a stopped container');
    const pid = this.nextPid++;
    this.execs.set(spec.session, { id, spec, pid });
    return { pid };
  }

  /** Ends an exec session with `code`, as its conmon would record it. */
  execExit(session: string, code: number): ExecExitRecord {
    const e = this.execs.get(session);
    if (!e) throw new BerthError('EINVAL', `no exec session ${session}`);
    this.execs.delete(session);
    const exit = { id: e.id, session, code, at: new Date().toISOString() };
    for (const listener of [...this.execListeners]) listener(exit);
    return exit;
  }

  /** Records the call, then throws the failure queued for `verb`, once. */
  private record(verb: string, id: string | undefined, args: readonly unknown[]): void {
    this.calls.push({ verb, ...(id === undefined ? {} : { id }), args });
    const failure = this.failures.get(verb);
    if (!failure) return;
    this.failures.delete(verb);
    throw failure;
  }

  private get(verb: string, id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw this.runcError(verb, 'container does not exist');
    return c;
  }

  private runcError(verb: string, line: string): BerthError {
    return new BerthError('EOCI', `runc ${verb} failed: ${line}`, { command: verb });
  }

  private deliver(id: string, c: FakeContainer, name: string): void {
    c.signals.push(name);
    const code = this.signalExits[name];
    if (code !== undefined) this.exit(id, code);
  }
}
