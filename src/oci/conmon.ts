/**
 * `runc create` under conmon, the way Podman runs it (shared/notes/oci-monitoring.md §1). conmon
 * double-forks and becomes the container's parent: it writes the exit code to the exit dir, copies
 * stdout/stderr to a k8s-file log, and outlives the worker. The sync fd is a regular file, not a
 * pipe, so a worker that dies mid-create does not kill conmon (§1.6); conmon's stdio are files too,
 * so nothing here can wait on the container's lifetime (§8.2, §8.5).
 */
import { watch } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { BerthError } from '../errors.js';
import type { StateLayout } from './layout.js';
import { lastStderrLine, oneLine } from './runtime-log.js';

export interface ConmonCreateOptions {
  conmon: string;
  runtime: string;
  /** runc --root */
  root: string;
  id: string;
  /** The run being created: conmon's persist dir is that run's own. */
  run: number;
  layout: StateLayout;
  /** conmon -i: keep the container's stdin open (attach writes to it through the attach socket). */
  stdin?: boolean;
  /** conmon -t: a pseudo-terminal (conmon makes the console socket; config.json has terminal true). */
  tty?: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  /** conmon --restore: `runc restore` from this checkpoint dir instead of `runc create` (Podman's restore). */
  restore?: string;
  /** conmon --runtime-opt: options after the runtime's verb (restore's --tcp-established). */
  runtimeOpts?: string[];
}

/** What conmon writes on the sync fd with `--api-version 1`: a pid, or -1 and runc's stderr. */
export interface SyncMessage {
  data: number;
  message?: string;
}

export function conmonArgs(o: Omit<ConmonCreateOptions, 'conmon' | 'timeoutMs' | 'signal'>): string[] {
  const { id, layout } = o;
  // prettier-ignore
  return [
    '--api-version', '1',
    '-c', id,
    '-u', id,
    '-n', id,
    '-r', o.runtime,
    // inserted before `create` (conmon source; checked: runc and crun accept them there)
    '--runtime-arg', '--root', '--runtime-arg', o.root,
    '--runtime-arg', '--log', '--runtime-arg', layout.runcLog(id),
    '--runtime-arg', '--log-format', '--runtime-arg', 'json',
    '-b', layout.bundle(id),
    '-p', layout.pidfile(id),
    '-l', `k8s-file:${layout.log(id)}`,
    '--exit-dir', layout.exits,
    // conmon writes persist/exit before the exit file and gives up if the dir is missing
    '--persist-dir', layout.persist(id, o.run),
    // the attach socket goes in the bundle; without this conmon dies silently here (§1.2)
    '--full-attach',
    '--conmon-pidfile', layout.conmonPidfile(id),
    // Podman's -i and -t (window sizes go to the ctl fifo, <bundle>/ctl, once it runs)
    ...(o.stdin ? ['-i'] : []),
    ...(o.tty ? ['-t'] : []),
    ...(o.restore ? ['--restore', o.restore] : []),
    ...(o.runtimeOpts ?? []).flatMap((opt) => ['--runtime-opt', opt]),
  ];
}

/** One conmon to start: its arguments, the files its sync fd and stderr go to, and the words of its errors. */
export interface ConmonSpawn {
  conmon: string;
  args: string[];
  syncPath: string;
  stderrPath: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** The messages of a cancelled spawn and of conmon's own failure (its last stderr line follows). */
  cancelled: string;
  failed: string;
  details: { container: string; command: string };
}

/**
 * Spawns conmon with its stderr and sync fd on regular files (so it outlives the worker) and
 * resolves once its first process has exited, with the wait for the sync file's first line.
 */
export async function spawnConmon(s: ConmonSpawn): Promise<{ line: Promise<string> }> {
  const [syncFile, errFile] = await Promise.all([open(s.syncPath, 'w'), open(s.stderrPath, 'w')]);
  const waiter = firstLine(s.syncPath, s.timeoutMs, s.signal);
  // conmon's first process exits as soon as it has forked the monitor (6–27 ms, notes §1.3)
  const spawned = await execa(s.conmon, s.args, {
    stdio: ['ignore', 'ignore', passFd(errFile.fd), passFd(syncFile.fd)],
    env: { _OCI_SYNCPIPE: '3' },
    reject: false,
    // conmon's first process forks the monitor and exits at once; it is never killed halfway
    cleanup: false,
    timeout: s.timeoutMs,
    ...(s.signal ? { cancelSignal: s.signal } : {}),
  })
    .finally(() => Promise.all([syncFile.close(), errFile.close()]))
    .catch((err: unknown) => {
      waiter.cancel();
      throw err;
    });
  if (spawned.failed) {
    waiter.cancel();
    if (spawned.isCanceled) throw new BerthError('EINTERNAL', s.cancelled, { ...s.details, cause: spawned });
    const stderr = await readFile(s.stderrPath, 'utf8').catch(() => '');
    throw new BerthError('EOCI', `${s.failed}: ${lastStderrLine(stderr) || spawned.shortMessage}`, { ...s.details, cause: spawned });
  }
  return { line: waiter.line };
}

/** Spawns conmon and resolves with its first sync message. The bundle must already be written. */
export async function conmonCreate(o: ConmonCreateOptions): Promise<SyncMessage> {
  const { id, layout } = o;
  const waiter = await spawnConmon({
    conmon: o.conmon,
    args: conmonArgs(o),
    syncPath: layout.sync(id),
    stderrPath: layout.conmonStderr(id),
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    cancelled: `create of container ${id} was cancelled`,
    failed: `conmon failed for container ${id}`,
    details: { container: id, command: 'create' },
  });
  const line = await waiter.line.catch((err: unknown) => {
    if (err instanceof BerthError) throw new BerthError(err.code, `container ${id}: ${err.message}`, { container: id, command: 'create', cause: err });
    throw err;
  });
  try {
    const msg = JSON.parse(line) as { data?: unknown; message?: unknown };
    if (typeof msg.data !== 'number') throw new Error('no data');
    return { data: msg.data, ...(typeof msg.message === 'string' ? { message: oneLine(msg.message) } : {}) };
  } catch (err) {
    throw new BerthError('EOCI', `conmon sent an unreadable sync message for container ${id}: ${line}`, { container: id, cause: err });
  }
}

/** execa hands an open fd to the child as is (tested, notes §1.3); its types only list fds 3–9. */
const passFd = (fd: number) => fd as 3;

interface LineWaiter {
  line: Promise<string>;
  cancel(): void;
}

/**
 * The first complete line of a file another process appends to: re-read on each inotify change
 * (fs.watch), plus once after the watch is set up. No polling; ETIMEOUT after `timeoutMs`.
 */
export function firstLine(path: string, timeoutMs: number, signal?: AbortSignal): LineWaiter {
  let finish: (err: Error | null, line?: string) => void = () => {};
  const line = new Promise<string>((resolve, reject) => {
    let settled = false;
    const watcher = watch(path, { persistent: false }, () => check());
    const timer = setTimeout(
      () => finish(new BerthError('ETIMEOUT', `conmon wrote no sync message to ${path} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onAbort = () => finish(new BerthError('EINTERNAL', `waiting for ${path} was cancelled`, { cause: signal?.reason }));
    finish = (err, text) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      watcher.close();
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(text ?? '');
    };
    const check = () => {
      readFile(path, 'utf8').then(
        (text) => {
          const nl = text.indexOf('\n');
          if (nl >= 0) finish(null, text.slice(0, nl));
        },
        (err: unknown) => finish(new BerthError('EINTERNAL', `cannot read ${path}`, { cause: err })),
      );
    };
    watcher.on('error', (err) => finish(new BerthError('EINTERNAL', `cannot watch ${path}`, { cause: err })));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    check();
  });
  line.catch(() => undefined);
  return { line, cancel: () => finish(new BerthError('EINTERNAL', `stopped waiting for ${path}`)) };
}
