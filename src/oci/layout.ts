/**
 * Where the runc adapter keeps its files under `stateDir`; no other file assembles these paths.
 *   bundles/<id>/  config.json, sync.json (conmon's sync fd), pidfile, conmon.pid, runc.log,
 *                  conmon.stderr, runs/<run>/ (conmon --persist-dir of that run: exit, oom)
 *   logs/<id>.log  the container's stdout and stderr (conmon k8s-file)
 *   exits/<id>     the exit code (conmon --exit-dir)
 *   exec/<id>/<session>/  an exec session's conmon bundle dir (-b): process.json, sync.json,
 *                  pidfile, conmon.pid, attach, ctl, exit/<id> (its own exit dir: conmon names
 *                  the exit file after the container), its k8s-file log, log, and its
 *                  attach socket and ctl fifo (the stdin transport)
 *   runc.log       runc's log for calls that concern no one container (list)
 *   rootfs/        root filesystems (the default rootfs root): the one part containers may see
 *   storage/<id>/  a container made from an image: upper/ and work/ (its overlay's own dirs),
 *                  merged/ (the overlay mount: its root; the `berth mount` count is the machine's),
 *                  artifacts/<key> (`berth artifact`; any container, gone with it)
 */
import { join } from 'node:path';
import type { StoragePaths } from '../storage/overlay.js';
import type { StdioPaths } from './types.js';

/** A container's storage dirs under a node's storage dir (`<stateDir>/storage`). */
export function storagePaths(storageDir: string, id: string): StoragePaths {
  const dir = join(storageDir, id);
  return { dir, upper: join(dir, 'upper'), work: join(dir, 'work'), merged: join(dir, 'merged'), artifacts: join(dir, 'artifacts') };
}

export class StateLayout {
  readonly bundles: string;
  readonly logs: string;
  readonly exits: string;
  /** The exec sessions' dirs, one subdir per container. */
  readonly execs: string;
  /** runc's JSON log for calls without a bundle. */
  readonly runtimeLog: string;
  /** The default rootfs root (rootfs-policy.ts). */
  readonly rootfs: string;
  /** Containers' storage (overlay upper, work and merged dirs), one subdir per container. */
  readonly storage: string;

  constructor(readonly stateDir: string) {
    this.bundles = join(stateDir, 'bundles');
    this.logs = join(stateDir, 'logs');
    this.exits = join(stateDir, 'exits');
    this.execs = join(stateDir, 'exec');
    this.runtimeLog = join(stateDir, 'runc.log');
    this.rootfs = join(stateDir, 'rootfs');
    this.storage = join(stateDir, 'storage');
  }

  storageOf(id: string): StoragePaths {
    return storagePaths(this.storage, id);
  }

  /** The layout whose exit dir is `exitDir` (it is always `<stateDir>/exits`). */
  static fromExitDir(exitDir: string): StateLayout {
    return new StateLayout(join(exitDir, '..'));
  }

  bundle(id: string): string {
    return join(this.bundles, id);
  }
  config(id: string): string {
    return join(this.bundle(id), 'config.json');
  }
  sync(id: string): string {
    return join(this.bundle(id), 'sync.json');
  }
  pidfile(id: string): string {
    return join(this.bundle(id), 'pidfile');
  }
  conmonPidfile(id: string): string {
    return join(this.bundle(id), 'conmon.pid');
  }
  conmonStderr(id: string): string {
    return join(this.bundle(id), 'conmon.stderr');
  }
  runcLog(id: string): string {
    return join(this.bundle(id), 'runc.log');
  }
  /** One dir per run: conmon's --persist-dir for run `run`, which tells whose exit an exit file is. */
  runs(id: string): string {
    return join(this.bundle(id), 'runs');
  }
  persist(id: string, run: number): string {
    return join(this.runs(id), String(run));
  }
  /** The persist dir of containers created before runs had dirs of their own. */
  legacyPersist(id: string): string {
    return join(this.bundle(id), 'persist');
  }
  log(id: string): string {
    return join(this.logs, `${id}.log`);
  }
  /** The container whose log `file` (a name in the logs dir) is, or null. */
  logId(file: string): string | null {
    const m = /^([A-Za-z0-9_+-][A-Za-z0-9_.+-]*)\.log$/.exec(file);
    return m ? m[1]! : null;
  }
  exit(id: string): string {
    return join(this.exits, id);
  }
  /** conmon's attach socket (SOCK_SEQPACKET) of a container: `-b <bundle> --full-attach` puts it there. */
  attachSocket(id: string): string {
    return join(this.bundle(id), 'attach');
  }
  /** conmon's terminal control fifo of a container ("1 <rows> <cols>\n" resizes its terminal). */
  ctlFifo(id: string): string {
    return join(this.bundle(id), 'ctl');
  }
  /** The exec sessions of container `id`. */
  execsOf(id: string): string {
    return join(this.execs, id);
  }
  /** An exec session's own conmon bundle dir (`conmon --exec -b <dir>`). */
  execDir(id: string, session: string): string {
    return join(this.execsOf(id), session);
  }
  execAttachSocket(id: string, session: string): string {
    return join(this.execDir(id, session), 'attach');
  }
  execCtlFifo(id: string, session: string): string {
    return join(this.execDir(id, session), 'ctl');
  }
  execProcess(id: string, session: string): string {
    return join(this.execDir(id, session), 'process.json');
  }
  execSync(id: string, session: string): string {
    return join(this.execDir(id, session), 'sync.json');
  }
  execPidfile(id: string, session: string): string {
    return join(this.execDir(id, session), 'pidfile');
  }
  execConmonPidfile(id: string, session: string): string {
    return join(this.execDir(id, session), 'conmon.pid');
  }
  execConmonStderr(id: string, session: string): string {
    return join(this.execDir(id, session), 'conmon.stderr');
  }
  /** The session's own exit dir: conmon writes `<execExitDir>/<id>` (it names the file after the container). */
  execExitDir(id: string, session: string): string {
    return join(this.execDir(id, session), 'exit');
  }
  execExit(id: string, session: string): string {
    return join(this.execExitDir(id, session), id);
  }
  /** The session's stdout and stderr (conmon k8s-file). */
  execLog(id: string, session: string): string {
    return join(this.execDir(id, session), 'log');
  }
  /** Where each process's stdin goes: the container's own dirs, or its exec session's. */
  stdio(): StdioPaths {
    return {
      attach: (r) => (r.session === undefined ? this.attachSocket(r.container) : this.execAttachSocket(r.container, r.session)),
      ctl: (r) => (r.session === undefined ? this.ctlFifo(r.container) : this.execCtlFifo(r.container, r.session)),
    };
  }
}
