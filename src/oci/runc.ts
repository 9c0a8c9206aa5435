/**
 * The runc adapter: a thin port with no state logic (libpod's OCIRuntime). Each container runs
 * under its own conmon (conmon.ts); every other verb is one `runc --root R --log <bundle>/runc.log
 * --log-format json <verb> …` through execa with argument arrays and stdio that cannot hang.
 * Failures are BerthError EOCI "runc <verb> failed: <runc's last error line>" with the ExecaError
 * as `cause`. Works with crun too (same CLI); `name` is the binary's base name.
 */
import { mkdir, readdir, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { execa, type Result } from 'execa';
import { BerthError } from '../errors.js';
import { buildConfig, readHardLimits, type HardLimits } from './bundle.js';
import { checkNotPrivate } from './rootfs-policy.js';
import { mountOverlay, removeStorage, unmountOverlay } from '../storage/overlay.js';
import { resolveExecUser } from './exec-user.js';
import { loadSeccompProfile, nativeArch } from './seccomp.js';
import type { SeccompProfile } from '../seccomp-profile.js';
import { conmonCreate } from './conmon.js';
import { ExitDirMonitor } from './exit-monitor.js';
import { startExec } from './exec.js';
import { runProbe, type ProbeOptions, type ProbeOutcome } from './probe.js';
import { execLogFiles } from './exec-exit-monitor.js';
import { readExitFile } from './exit-file.js';
import { awaitExitFile } from './exit-wait.js';
import { StateLayout } from './layout.js';
import { onlyRun } from './run-dirs.js';
import { resolveBinary, validateRuncOptions, type ResolvedRuncOptions, type RuncOptions } from './runc-options.js';
import { lastLogError, lastStderrLine, logSize, oneLine } from './runtime-log.js';
import { afterCheckpoint, afterRestore, beforeRestore, checkpointArgs, checkpointDir, criuSupport } from './criu.js';
import { describeBinaries, type RuntimeDescription } from './versions.js';
import { parseSignal } from '../signals.js';
import type { CallOptions, CheckpointOptions, RestoreOptions, ExecSpec, ExitReadOptions, ExitRecord, LogFiles, OciRuntime, RuntimePaths, StdioPaths, RuntimeSpec, RuntimeState, RuntimeStatus } from './types.js';
import { killed, paused } from './runc-transient.js';

/** runc's own rule for container ids, minus leading dots (ids name files here). */
const ID_PATTERN = /^[A-Za-z0-9_+-][A-Za-z0-9_.+-]*$/;
const STATUSES: readonly RuntimeStatus[] = ['creating', 'created', 'running', 'paused', 'stopped'];
/**
 * stdin closed, output captured: none of these verbs hands its stdio to the container. A verb
 * runs to its end even if the worker exits meanwhile (`cleanup: false`): runc killed halfway
 * through a create or delete leaves a half-made container behind, while a finished call is
 * reconciled by the next worker; it also spares execa's exit hooks on every call.
 */
const RUN_OPTIONS = { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', reject: false, cleanup: false } as const;
type RunResult = Result<typeof RUN_OPTIONS>;
/** "No such container": runc's words, then crun's (it reports the missing state file or dir). */
const NOT_FOUND = /container does not exist|error opening file `[^`]*\/status`: No such file or directory|cannot open directory '[^']*': No such file or directory/;

interface Binaries {
  runtime: string;
  conmon: string;
}

export class RuncRuntime implements OciRuntime {
  readonly name: string;
  readonly layout: StateLayout;
  readonly logFiles: LogFiles;
  readonly execLogFiles: LogFiles;
  readonly stdio: StdioPaths;
  private readonly o: ResolvedRuncOptions;
  private binaries: Promise<Binaries> | undefined;
  private limits: Promise<HardLimits> | undefined;
  private seccomp: Promise<SeccompProfile> | undefined;
  private criu: Promise<string | null> | undefined;
  readonly paths: RuntimePaths;
  /** The worker's environment, copied once: execa would copy process.env (slow) on every call. */
  private readonly env = { ...process.env };

  constructor(options: RuncOptions) {
    this.o = validateRuncOptions(options);
    this.name = basename(this.o.runtime);
    this.layout = new StateLayout(this.o.stateDir);
    const L = this.layout;
    this.logFiles = { dir: L.logs, path: (id) => L.log(id), idOf: (file) => L.logId(file) };
    this.execLogFiles = execLogFiles(L);
    this.stdio = L.stdio();
    this.paths = Object.freeze({ private: Object.freeze([this.o.stateDir, this.o.root]), rootfs: L.rootfs, storage: L.storage });
  }

  /** The node's default seccomp profile, read once (again after a failure). */
  private defaultSeccomp(): Promise<SeccompProfile> {
    if (!this.seccomp) {
      const loading = loadSeccompProfile(this.o.seccompProfile);
      loading.catch(() => {
        if (this.seccomp === loading) this.seccomp = undefined;
      });
      this.seccomp = loading;
    }
    return this.seccomp;
  }

  /** The runtime's and conmon's paths and versions, for the node registry (versions.ts). */
  describe = (): Promise<RuntimeDescription> => describeBinaries(this.name, this.o);

  /** `<stateDir>/exits`, the dir conmon writes exit files to. */
  get exitDir(): string {
    return this.layout.exits;
  }

  /** A monitor of this runtime's exit dir. */
  exitMonitor(): ExitDirMonitor {
    return new ExitDirMonitor(this.layout.exits);
  }

  /** The runtime and conmon, resolved and checked once (again after a failure). */
  private resolveBinaries(): Promise<Binaries> {
    if (!this.binaries) {
      const resolving = (async () => ({
        runtime: await resolveBinary('OCI runtime', this.o.runtime),
        conmon: await resolveBinary('conmon', this.o.conmon),
      }))();
      resolving.catch(() => {
        if (this.binaries === resolving) this.binaries = undefined;
      });
      this.binaries = resolving;
    }
    return this.binaries;
  }

  async create(spec: RuntimeSpec, opts: CallOptions = {}, restore: { restore?: string; runtimeOpts?: string[] } = {}): Promise<{ pid: number }> {
    const { id } = spec;
    checkId(id);
    const bin = await this.resolveBinaries();
    this.limits ??= readHardLimits(); // fixed for the life of the process
    const hardLimits = await this.limits;
    // an image container's root: its overlay, mounted now (at init) unless it is (storage/overlay.ts)
    if (spec.layers) await mountOverlay(this.layout.storageOf(id), spec.layers);
    // checked at create against the node's roots; again here, in case the tree changed since
    await checkNotPrivate(spec.rootfs, { private: this.paths.private, open: [this.layout.rootfs, ...(spec.layers ? [this.layout.storageOf(id).merged] : [])] });
    const user = spec.user ? await resolveExecUser(spec.rootfs, spec.user) : undefined;
    const seccompProfile = (spec.seccomp ?? 'default') === 'default' ? await this.defaultSeccomp() : undefined;
    const L = this.layout;
    // never rewrite the bundle of a container the runtime still has (runc and crun keep <root>/<id>)
    if (await stat(join(this.o.root, id)).then(() => true, () => false)) {
      throw new BerthError('EOCI', `${this.name} create failed: container with id exists: ${id}`, { container: id, command: 'create' });
    }
    await Promise.all([mkdir(L.bundle(id), { recursive: true }), mkdir(L.exits, { recursive: true }), mkdir(L.logs, { recursive: true })]);
    await Promise.all([
      this.clearExit(id),
      onlyRun(this.layout, id, spec.run),
      ...[L.pidfile(id), L.conmonPidfile(id)].map((p) => rm(p, { force: true })),
      writeFile(L.runcLog(id), ''),
      writeFile(L.config(id), `${JSON.stringify(buildConfig(spec, { hardLimits, seccompProfile, arch: nativeArch(), ...(user ? { user } : {}) }), null, 2)}\n`),
    ]);
    const sync = await conmonCreate({
      conmon: bin.conmon,
      runtime: bin.runtime,
      root: this.o.root,
      id,
      run: spec.run,
      layout: L,
      stdin: spec.stdin === true,
      tty: spec.tty === true,
      timeoutMs: this.o.createTimeoutMs,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...restore,
    });
    if (sync.data > 0) return { pid: sync.data };
    const reason = sync.message || (await lastLogError(L.runcLog(id))) || `conmon reported ${sync.data}`;
    const [verb, prefix] = restore.restore ? ['restore', `${this.name} restore failed: `] : ['create', `${this.name} create failed: `];
    const message = reason.startsWith(prefix) ? reason : prefix + reason;
    throw new BerthError('EOCI', message, { container: id, command: verb });
  }

  async exec(id: string, spec: ExecSpec, opts: CallOptions = {}): Promise<{ pid: number }> {
    checkId(id);
    const bin = await this.resolveBinaries();
    return startExec({ ...bin, name: this.name, root: this.o.root, layout: this.layout, timeoutMs: this.o.createTimeoutMs }, id, spec, opts.signal);
  }

  /** A health probe (probe.ts): `argv` in the running container, killed at the timeout. */
  probe = async (id: string, argv: string[], o: ProbeOptions): Promise<ProbeOutcome> =>
    runProbe({ runtime: (await this.resolveBinaries()).runtime, root: this.o.root, env: this.env, dir: this.layout.bundle((checkId(id), id)) }, id, argv, o);

  async start(id: string, opts?: CallOptions): Promise<void> {
    await this.run('start', id, [id], opts);
  }

  /** Any signal `parseSignal` knows; it is passed to runc by number (a process gone meanwhile: runc-transient.ts). */
  async kill(id: string, signal: string, opts?: CallOptions): Promise<void> {
    await killed(this.run('kill', id, [id, String(parseSignal(signal).number)], opts));
  }

  pause = (id: string, opts?: CallOptions): Promise<void> => paused(() => this.run('pause', id, [id], opts));
  resume = async (id: string, opts?: CallOptions): Promise<void> => void (await this.run('resume', id, [id], opts));

  async delete(id: string, opts: CallOptions & { force?: boolean; keepStorage?: boolean } = {}): Promise<void> {
    checkId(id);
    // runc keeps each container's state in <root>/<id>: without it there is nothing to delete
    if (await stat(join(this.o.root, id)).then(() => true, () => false)) await this.run('delete', id, [...(opts.force ? ['--force'] : []), id], opts, true);
    // cleanup releases an image container's overlay, unless a counted `berth mount` holds it (the machine's count)
    if (!opts.keepStorage) await unmountOverlay(this.layout.storageOf(id));
  }

  /** `berth mount` / `unmount` of an image container's overlay (storage/overlay.ts: idempotent). */
  mount = async (id: string, layers: readonly string[]): Promise<void> => void (await mountOverlay(this.layout.storageOf((checkId(id), id)), layers));
  unmount = async (id: string): Promise<void> => unmountOverlay(this.layout.storageOf((checkId(id), id)));

  async state(id: string, opts?: CallOptions): Promise<RuntimeState | null> {
    const r = await this.run('state', id, [id], opts, true);
    return r === null ? null : toState(this.name, 'state', JSON.parse(r.stdout) as unknown);
  }

  async list(opts?: CallOptions): Promise<RuntimeState[]> {
    const r = await this.run('list', undefined, ['--format', 'json'], opts);
    const list = JSON.parse(r.stdout.trim() || 'null') as unknown;
    return Array.isArray(list) ? list.map((s) => toState(this.name, 'list', s)) : [];
  }

  /** With `waitMs`, gives a conmon that still runs that long to record the exit (exit-wait.ts). */
  async readExit(id: string, opts: ExitReadOptions = {}): Promise<ExitRecord | null> {
    checkId(id);
    return opts.waitMs ? awaitExitFile(this.layout, id, opts) : readExitFile(this.layout, id);
  }

  async clearExit(id: string): Promise<void> {
    checkId(id);
    await unlink(this.layout.exit(id)).catch(ignoreMissing);
  }

  async purge(id: string): Promise<void> {
    checkId(id);
    await Promise.all([
      rm(this.layout.bundle(id), { recursive: true, force: true }),
      rm(this.layout.log(id), { force: true }),
      rm(this.layout.execsOf(id), { recursive: true, force: true }),
      this.clearExit(id),
      removeStorage(this.layout.storageOf(id)),
    ]);
  }

  /** `runc checkpoint` (CRIU), then its archive (criu.ts); the host's support is asked first (checkpointSupport). */
  async checkpoint(id: string, opts: CallOptions & CheckpointOptions = {}): Promise<void> {
    await this.run('checkpoint', id, checkpointArgs(this.layout.bundle(id), id, opts), opts).then(() => afterCheckpoint(this.layout.bundle(id), this.layout.config(id), opts));
  }

  /** `runc restore` under conmon (its --restore), so the exit monitor sees the restored process end. */
  async restore(spec: RuntimeSpec, opts: CallOptions & RestoreOptions = {}): Promise<{ pid: number }> {
    const bundle = this.layout.bundle(spec.id);
    await beforeRestore(bundle, opts);
    return this.create(spec, opts, { restore: checkpointDir(bundle), runtimeOpts: opts.tcpEstablished ? ['--tcp-established'] : [] }).then(async (r) => (await afterRestore(bundle, opts), r));
  }

  /** `criu check`, once per runtime (the host's answer). */
  checkpointSupport = (): Promise<string | null> => (this.criu ??= criuSupport());

  /**
   * Runs one runtime verb. With `missingOk`, a container the runtime does not know gives null
   * instead of an error. stdin is closed and no verb here hands its stdio to a container.
   */
  private async run(verb: string, id: string | undefined, args: string[], opts?: CallOptions, missingOk?: false): Promise<RunResult>;
  private async run(verb: string, id: string | undefined, args: string[], opts: CallOptions | undefined, missingOk: true): Promise<RunResult | null>;
  private async run(verb: string, id: string | undefined, args: string[], opts: CallOptions = {}, missingOk = false): Promise<RunResult | null> {
    if (id !== undefined) checkId(id);
    const bin = await this.resolveBinaries();
    const log = await this.logFor(id);
    const offset = await logSize(log);
    const r = await execa(bin.runtime, ['--root', this.o.root, '--log', log, '--log-format', 'json', verb, ...args], {
      ...RUN_OPTIONS,
      env: this.env,
      extendEnv: false,
      timeout: this.o.callTimeoutMs,
      ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    });
    if (!r.failed) return r;
    const details = { ...(id === undefined ? {} : { container: id }), command: verb, cause: r };
    if (r.isCanceled) throw new BerthError('EINTERNAL', `${this.name} ${verb} was cancelled`, details);
    if (r.timedOut) throw new BerthError('ETIMEOUT', `${this.name} ${verb} timed out after ${this.o.callTimeoutMs} ms`, details);
    const line = (await lastLogError(log, offset)) || lastStderrLine(r.stderr) || (r.shortMessage ?? `exit code ${String(r.exitCode)}`);
    if (missingOk && NOT_FOUND.test(line)) return null;
    throw new BerthError('EOCI', `${this.name} ${verb} failed: ${oneLine(line)}`, details);
  }

  /** The container's runc.log while its bundle exists, else the shared one (runc cannot create dirs). */
  private async logFor(id: string | undefined): Promise<string> {
    if (id !== undefined && (await stat(this.layout.bundle(id)).then((s) => s.isDirectory(), () => false))) return this.layout.runcLog(id);
    await mkdir(this.o.stateDir, { recursive: true });
    return this.layout.runtimeLog;
  }
}

function checkId(id: string): void {
  if (!ID_PATTERN.test(id)) throw new BerthError('EINVAL', `invalid container id "${id}"`);
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}

function toState(name: string, verb: string, value: unknown): RuntimeState {
  const s = (typeof value === 'object' && value !== null ? value : {}) as { id?: unknown; status?: unknown; pid?: unknown };
  if (typeof s.id !== 'string' || typeof s.pid !== 'number' || !STATUSES.includes(s.status as RuntimeStatus)) {
    throw new BerthError('EOCI', `${name} ${verb} failed: unexpected output ${JSON.stringify(value)}`);
  }
  return { id: s.id, status: s.status as RuntimeStatus, pid: s.pid };
}
