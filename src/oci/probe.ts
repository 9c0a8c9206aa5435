/**
 * A health probe in a running container: `runc exec` of the health check's argv, with the
 * container's own process settings (runc takes them from its config.json), its stdout and stderr
 * captured together, and killed at the timeout: runc writes the process's pid (--pid-file) and the
 * process gets SIGKILL, as Podman 5.6+ does (runc itself when it has not started one yet).
 * Result as Podman's health log has it: ExitCode 0 passed, 1 failed (a non-zero exit, or the
 * command could not be run: runc's error is the output), -1 timed out.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

export interface ProbeOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ProbeOutcome {
  exitCode: number;
  output: string;
}

export interface ProbeContext {
  runtime: string;
  root: string;
  env: NodeJS.ProcessEnv;
  /** A dir of the container's for the pid file (its bundle). */
  dir: string;
}

/** Output kept of a probe (Podman keeps 500 characters in the log). */
const MAX_OUTPUT = 4096;

export async function runProbe(c: ProbeContext, id: string, argv: string[], o: ProbeOptions): Promise<ProbeOutcome> {
  const pidFile = join(c.dir, `probe-${randomBytes(6).toString('hex')}.pid`);
  const child = execa(c.runtime, ['--root', c.root, 'exec', '--pid-file', pidFile, id, ...argv], {
    stdin: 'ignore',
    all: true,
    reject: false,
    cleanup: false,
    env: c.env,
    extendEnv: false,
    maxBuffer: MAX_OUTPUT,
    ...(o.signal ? { cancelSignal: o.signal } : {}),
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void readFile(pidFile, 'utf8').then(
      (text) => kill(Number(text.trim())) || child.kill('SIGKILL'),
      () => child.kill('SIGKILL'),
    );
  }, o.timeoutMs);
  try {
    const r = await child;
    const output = String(r.all ?? '').slice(0, MAX_OUTPUT);
    if (timedOut) return { exitCode: -1, output: output || `health check command timed out after ${o.timeoutMs} ms` };
    return { exitCode: r.exitCode === 0 ? 0 : 1, output };
  } finally {
    clearTimeout(timer);
    await rm(pidFile, { force: true });
  }
}

function kill(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
