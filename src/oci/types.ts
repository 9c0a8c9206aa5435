/**
 * The OCI runtime port. A thin wrapper with no state logic (libpod's OCIRuntime): the machine
 * decides what may be called when; the adapter only makes the call and reports what the runtime
 * said. Every method takes `{ signal }` for cancellation.
 */
import type { NetworkMode, SeccompSetting } from '../spec.js';
import type { RuntimeDescription } from './versions.js';
import type { ProbeOptions, ProbeOutcome } from './probe.js';

/** The spec's isolation vocabulary, for the runtime's callers (defined with the spec). */
export { DEFAULT_PIDS_LIMIT, NETWORK_MODES } from '../spec.js';
export type { NetworkMode, SeccompSetting };

export interface CallOptions {
  signal?: AbortSignal;
}

export interface ExitReadOptions extends CallOptions {
  /**
   * For a process that has just ended: how long to give its monitor to record the exit (conmon
   * writes it milliseconds after the exit). The wait lasts only while the monitor still runs, at
   * most this long. Default 0: what is recorded now.
   */
  waitMs?: number;
}

/** What the runtime needs to create one container. The runc id is the Berth container Id. */
export interface RuntimeSpec {
  id: string;
  /** Absolute path of the root filesystem on this node. */
  rootfs: string;
  /** argv; args[0] is resolved against PATH inside the rootfs. */
  command: string[];
  /** KEY=VALUE entries. PATH gets a default when absent. */
  env: string[];
  workdir: string;
  hostname: string;
  /** Signal name, e.g. SIGTERM. */
  stopSignal: string;
  /** Which run of the container this is (1, 2, …): its exit is reported with this number. */
  run: number;
  /** Default `none`: a network namespace with only loopback. */
  network?: NetworkMode;
  /** Default `default`: the node's containers-common profile. */
  seccomp?: SeccompSetting;
  /** The container cgroup's pids limit; 0 for none. Default DEFAULT_PIDS_LIMIT. */
  pidsLimit?: number;
  /** Keep stdin open (conmon -i): attach writes to it through conmon's attach socket. */
  stdin?: boolean;
  /** A pseudo-terminal (process.terminal; conmon -t makes the console socket). */
  tty?: boolean;
  // ---- storage (issue 11) ----
  /** An image's layer dirs, lowest first: the runtime mounts an overlay of them on `rootfs` (its storage's merged dir). */
  layers?: string[];
  /** USER[:GROUP], resolved in the rootfs's /etc/passwd and /etc/group; absent: root. */
  user?: string;
  /** A read-only root with a tmpfs /tmp. Default true (a --rootfs tree is shared); image containers say false unless --read-only. */
  readOnly?: boolean;
}

/**
 * Host paths a runtime keeps to itself (runc state, bundles, logs, exit files): no container's
 * rootfs may hold one or lie inside one (rootfs-policy.ts), except inside `rootfs`.
 */
export interface RuntimePaths {
  private: readonly string[];
  /** `<stateDir>/rootfs`: where root filesystems go by default, the one part of the state dir containers may use. */
  rootfs?: string;
  /** `<stateDir>/storage`: containers' overlay dirs (storagePaths), each one's merged dir its root. */
  storage?: string;
}

export type RuntimeStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

/** What `runc state` says. */
export interface RuntimeState {
  id: string;
  status: RuntimeStatus;
  pid: number;
}

/** An exit recorded by the monitor (conmon's exit file). */
export interface ExitRecord {
  id: string;
  /** Exit code; 128+N for signal N; -1 when it could not be known. */
  code: number;
  /** ISO time of the exit (the exit file's ctime). */
  at: string;
  oomKilled: boolean;
  /** The run (RuntimeSpec.run) that ended; absent for a container created before runs were told apart. */
  run?: number;
}

/**
 * Where a runtime keeps its containers' captured output: one conmon k8s-file log per container
 * (oci/k8s-log.ts), all in one dir, which the node's worker watches and ships to each
 * container's output stream.
 */
export interface LogFiles {
  readonly dir: string;
  /** The logs are in subdirs of `dir` (exec sessions'): watched and listed recursively. */
  readonly recursive?: boolean;
  /** The log file of container `id`. */
  path(id: string): string;
  /** The source a file in `dir` (a path relative to it) is the log of; null for any other file. */
  idOf(file: string): string | null;
}

/** A process's stdin: a container's own, or an exec session's. */
export interface StdioRef {
  container: string;
  session?: string;
}

/**
 * Where a process's monitor takes its stdin and window size (conmon's attach socket and ctl fifo);
 * queue/stdin-forwarder.ts writes there.
 */
export interface StdioPaths {
  attach(ref: StdioRef): string;
  ctl(ref: StdioRef): string;
}

/** `berth checkpoint`'s options, as the runtime takes them. */
export interface CheckpointOptions {
  /** Keep CRIU's logs (dump.log, stats-dump). */
  keep?: boolean;
  leaveRunning?: boolean;
  tcpEstablished?: boolean;
  /** A tar of the checkpoint to write (an absolute path on the node). */
  export?: string;
}

/** `berth restore`'s options, as the runtime takes them. */
export interface RestoreOptions {
  /** Keep the checkpoint and CRIU's log after the restore. */
  keep?: boolean;
  tcpEstablished?: boolean;
  /** A tar made by --export to restore from (an absolute path on the node). */
  import?: string;
}

export interface OciRuntime {
  readonly name: string;
  /** The containers' output files; null for a runtime that keeps none (fake, missing). */
  readonly logFiles: LogFiles | null;
  /** Where processes take their stdin; null for a runtime that has none (fake, missing). */
  readonly stdio: StdioPaths | null;
  /** What the runtime keeps on the node, out of every container's reach. */
  readonly paths: RuntimePaths;
  /** Writes the bundle and runs `runc create` under a monitor; resolves to the container's pid. */
  create(spec: RuntimeSpec, opts?: CallOptions): Promise<{ pid: number }>;
  start(id: string, opts?: CallOptions): Promise<void>;
  kill(id: string, signal: string, opts?: CallOptions): Promise<void>;
  pause(id: string, opts?: CallOptions): Promise<void>;
  resume(id: string, opts?: CallOptions): Promise<void>;
  /**
   * `runc delete` (with --force when asked); a container runc does not know is not an error. An
   * image container's overlay is unmounted too, unless `keepStorage` (a counted `berth mount`).
   */
  delete(id: string, opts?: CallOptions & { force?: boolean; keepStorage?: boolean }): Promise<void>;
  /** Mounts an image container's overlay of `layers` (lowest first) unless it is mounted (`berth mount`). */
  mount(id: string, layers: readonly string[], opts?: CallOptions): Promise<void>;
  /** Unmounts an image container's overlay when it is mounted (`berth unmount`). */
  unmount(id: string, opts?: CallOptions): Promise<void>;
  /** null when runc does not know the container. */
  state(id: string, opts?: CallOptions): Promise<RuntimeState | null>;
  list(opts?: CallOptions): Promise<RuntimeState[]>;
  /** The exit the monitor recorded for the container's current run, or null. */
  readExit(id: string, opts?: ExitReadOptions): Promise<ExitRecord | null>;
  /** Forgets the recorded exit (after it has been committed). */
  clearExit(id: string): Promise<void>;
  /** Removes every file Berth keeps for the container (bundle, logs, exit file). */
  purge(id: string): Promise<void>;
  /** `runc checkpoint` (CRIU) into the bundle's checkpoint dir (criu.ts). */
  checkpoint(id: string, opts?: CallOptions & CheckpointOptions): Promise<void>;
  /** `runc restore` under conmon (`conmon --restore`, as Podman), from the checkpoint or an archive; the pid. */
  restore(spec: RuntimeSpec, opts?: CallOptions & RestoreOptions): Promise<{ pid: number }>;
  /** null when this host can checkpoint; else why not (criu check's first error line). Asked once. */
  checkpointSupport(): Promise<string | null>;
  /**
   * Starts an exec session in a running container under its own conmon (`conmon --exec`, as
   * Podman runs it); resolves to the process's pid once runc has started it. A process that cannot
   * be run rejects with an ExecStartError (126 / 127); an unknown user with EINVAL.
   */
  exec(id: string, spec: ExecSpec, opts?: CallOptions): Promise<{ pid: number }>;
  /** The exec sessions' output files (one log per session); null for a runtime that keeps none. */
  readonly execLogFiles: LogFiles | null;
  /** A health probe: `argv` in the running container, killed at `timeoutMs` (probe.ts); absent: cannot probe. */
  probe?(id: string, argv: string[], opts: ProbeOptions): Promise<ProbeOutcome>;
  /** Paths and versions of the runtime (and its monitor), for `berth version` and `berth info`. */
  describe?(): Promise<RuntimeDescription>;
}

/** One exec session, as the runtime needs it. */
export interface ExecSpec {
  /** 64 hex digits, made by the client. */
  session: string;
  /** argv; args[0] is resolved against PATH inside the container, by runc. */
  command: string[];
  /** KEY=VALUE entries, over the container's own. */
  env: string[];
  /** The working directory; '' for the container's. */
  workdir: string;
  /** USER[:GROUP], by name or number; '' for the container's. */
  user: string;
  tty: boolean;
  /** Keep the process's stdin open for the stdin transport (conmon -i). */
  stdin: boolean;
  /** The terminal's size (with tty). */
  rows?: number;
  cols?: number;
}

/** An exit conmon recorded for an exec session. */
export interface ExecExitRecord {
  /** The container. */
  id: string;
  session: string;
  /** Exit code; 128+N for signal N; -1 when conmon died without recording one. */
  code: number;
  at: string;
}

/** Emits every exit of an exec session the runtime records, including those recorded while nobody watched. */
export interface ExecExitMonitor {
  start(onExit: (exit: ExecExitRecord) => void): Promise<void>;
  /** The session's exit was delivered: its files may go. */
  forget?(id: string, session: string): Promise<void>;
  close(): Promise<void>;
}

/** Emits every exit the runtime's monitor records, including those recorded while nobody watched. */
export interface ExitMonitor {
  start(onExit: (exit: ExitRecord) => void): Promise<void>;
  close(): Promise<void>;
}
