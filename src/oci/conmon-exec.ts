/**
 * An exec session under its own conmon, as Podman runs it (libpod/oci_conmon_exec_linux.go):
 * `conmon --api-version 1 -c <container> -u <session> -b <execDir> --full-attach -e
 * --exec-process-spec <file>`, with the session's own exit dir, pid file and k8s-file log, `-t`
 * for a terminal (conmon makes the console socket and hands it to runc) and `-i` to keep stdin
 * open for the attach socket. conmon double-forks and outlives the worker, records the exit in
 * `<execDir>/exit/<container>` and writes two sync messages: the pid (or -1 and runc's error) and,
 * later, the exit code. The sync fd is a regular file, as for create (conmon.ts).
 */
import { BerthError, execFailureCode } from '../errors.js';
import { firstLine, spawnConmon } from './conmon.js';
import type { StateLayout } from './layout.js';
import { oneLine } from './runtime-log.js';

export interface ConmonExecOptions {
  conmon: string;
  runtime: string;
  /** The runtime's base name, for messages ("runc"). */
  name: string;
  root: string;
  id: string;
  session: string;
  tty: boolean;
  stdin: boolean;
  layout: StateLayout;
  timeoutMs: number;
  signal?: AbortSignal;
}

export function conmonExecArgs(o: Omit<ConmonExecOptions, 'conmon' | 'timeoutMs' | 'signal' | 'name'>): string[] {
  const { id, session, layout: L } = o;
  // prettier-ignore
  return [
    '--api-version', '1',
    '-c', id,
    '-u', session,
    '-n', id,
    '-r', o.runtime,
    '--runtime-arg', '--root', '--runtime-arg', o.root,
    '-b', L.execDir(id, session),
    '-p', L.execPidfile(id, session),
    '-l', `k8s-file:${L.execLog(id, session)}`,
    '--exit-dir', L.execExitDir(id, session),
    '--full-attach',
    '--conmon-pidfile', L.execConmonPidfile(id, session),
    ...(o.tty ? ['-t'] : []),
    ...(o.stdin ? ['-i'] : []),
    '-e', '--exec-process-spec', L.execProcess(id, session),
  ];
}

/** runc's own words in a sync message (conmon passes its logfmt stderr line on: msg="…"). */
export function runtimeMessage(message: string): string {
  const m = /msg="((?:[^"\\]|\\.)*)"/.exec(message);
  return oneLine(m ? m[1]!.replace(/\\(.)/g, '$1') : message);
}

/** Podman's words for an exec that could not start: runc's, then what it means. */
export function execStartMessage(name: string, message: string): string {
  const words = runtimeMessage(message);
  const what = execFailureCode(words) === 127 ? 'OCI runtime attempted to invoke a command that was not found' : 'OCI permission denied';
  return `${name}: ${words}: ${what}`;
}

/** Spawns conmon for the session (its dir and process spec written) and resolves with the pid. */
export async function conmonExec(o: ConmonExecOptions): Promise<number> {
  const { id, session, layout: L } = o;
  const waiter = await spawnConmon({
    conmon: o.conmon,
    args: conmonExecArgs(o),
    syncPath: L.execSync(id, session),
    stderrPath: L.execConmonStderr(id, session),
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    cancelled: `exec in container ${id} was cancelled`,
    failed: `conmon failed for an exec in container ${id}`,
    details: { container: id, command: 'exec' },
  });
  return syncPid(o, await waiter.line);
}

/** The pid the session's conmon (spawned before) reported on its sync file, or its failure. */
export async function conmonExecPid(o: Pick<ConmonExecOptions, 'id' | 'session' | 'layout' | 'name' | 'timeoutMs' | 'signal'>): Promise<number> {
  return syncPid(o, await firstLine(o.layout.execSync(o.id, o.session), o.timeoutMs, o.signal).line);
}

function syncPid(o: Pick<ConmonExecOptions, 'id' | 'name'>, line: string): number {
  const { id } = o;
  const details = { container: id, command: 'exec' };
  let msg: { data?: unknown; message?: unknown };
  try {
    msg = JSON.parse(line) as typeof msg;
  } catch (err) {
    throw new BerthError('EOCI', `conmon sent an unreadable sync message for an exec in container ${id}: ${line}`, { ...details, cause: err });
  }
  if (typeof msg.data === 'number' && msg.data > 0) return msg.data;
  throw new BerthError('EOCI', execStartMessage(o.name, typeof msg.message === 'string' ? msg.message : `conmon reported ${String(msg.data)}`), details);
}
