/**
 * An exec session's process spec (`conmon --exec-process-spec FILE`), as Podman builds it
 * (libpod/oci_conmon_exec_linux.go): the container's own process from its config.json
 * (capabilities, rlimits, noNewPrivileges, apparmor, env, cwd, user) with the exec's command,
 * its -e entries over the container's env (same key: the exec's wins), -w, -u (resolved in the
 * container's files, exec-user.ts), and a terminal of the caller's size with -t. Pure.
 */
import type { ExecUser } from './exec-user.js';
import type { ExecSpec } from './types.js';

/** The part of an OCI process the exec changes; the rest is carried over as it is. */
export interface OciProcess {
  args?: string[];
  env?: string[];
  cwd?: string;
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user?: { uid: number; gid: number; additionalGids?: number[]; umask?: number };
  [other: string]: unknown;
}

/** `env` entries with `over`'s replacing those of the same key, in order. */
export function mergeEnv(env: readonly string[], over: readonly string[]): string[] {
  const key = (e: string) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e);
  const out = new Map<string, string>();
  for (const e of [...env, ...over]) {
    out.delete(key(e));
    out.set(key(e), e);
  }
  return [...out.values()];
}

export function execProcess(base: OciProcess, spec: ExecSpec, user: ExecUser | null): OciProcess {
  let env = mergeEnv(base.env ?? [], spec.env);
  // a user of its own gets its own HOME, unless the exec sets one (Podman)
  if (user?.home && !spec.env.some((e) => e.startsWith('HOME='))) env = mergeEnv(env, [`HOME=${user.home}`]);
  const process: OciProcess = {
    ...base,
    args: spec.command,
    env,
    cwd: spec.workdir || base.cwd || '/',
    terminal: spec.tty,
  };
  if (user) process.user = { ...base.user, uid: user.uid, gid: user.gid, additionalGids: user.additionalGids };
  if (spec.tty && spec.rows && spec.cols) process.consoleSize = { height: spec.rows, width: spec.cols };
  else delete process.consoleSize;
  return process;
}
