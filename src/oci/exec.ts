/**
 * `exec` of the runc adapter: the session's process spec from the container's config.json
 * (exec-spec.ts, exec-user.ts), its own dir, then conmon --exec (conmon-exec.ts). With a terminal
 * the caller's window size is in the spec (consoleSize) and also written to conmon's ctl fifo
 * ("1 <rows> <cols>", conmon's ctrl.c), which resizes the console conmon holds.
 */
import { constants } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { BerthError } from '../errors.js';
import { conmonExec, conmonExecPid } from './conmon-exec.js';
import { execProcess, type OciProcess } from './exec-spec.js';
import { resolveExecUser } from './exec-user.js';
import type { StateLayout } from './layout.js';
import type { ExecSpec } from './types.js';

export const SESSION_PATTERN = /^[0-9a-f]{64}$/;

export interface ExecContext {
  conmon: string;
  runtime: string;
  name: string;
  root: string;
  layout: StateLayout;
  timeoutMs: number;
}

export async function startExec(c: ExecContext, id: string, spec: ExecSpec, signal?: AbortSignal): Promise<{ pid: number }> {
  if (!SESSION_PATTERN.test(spec.session)) throw new BerthError('EINVAL', `invalid exec session id "${spec.session.slice(0, 80)}": expected 64 hex digits`);
  const L = c.layout;
  const config = JSON.parse(await readFile(L.config(id), 'utf8').catch(() => '{}')) as { process?: OciProcess; root?: { path?: string } };
  if (!config.process || !config.root?.path) throw new BerthError('ECTRSTATE', `cannot exec into container ${id}: it has no bundle on this node`, { container: id, command: 'exec' });
  const user = spec.user ? await resolveExecUser(config.root.path, spec.user) : null;
  const dir = L.execDir(id, spec.session);
  // the session's conmon was spawned already (a call interrupted and run again): its pid, not a second process
  if (await stat(L.execConmonPidfile(id, spec.session)).then(() => true, () => false)) return { pid: await conmonExecPid({ ...c, id, session: spec.session, ...(signal ? { signal } : {}) }) };
  await rm(dir, { recursive: true, force: true });
  await mkdir(L.execExitDir(id, spec.session), { recursive: true });
  await writeFile(L.execProcess(id, spec.session), JSON.stringify(execProcess(config.process, spec, user)));
  const pid = await conmonExec({ ...c, id, session: spec.session, tty: spec.tty, stdin: spec.stdin, ...(signal ? { signal } : {}) });
  if (spec.tty && spec.rows && spec.cols) await resize(L.execCtlFifo(id, spec.session), spec.rows, spec.cols);
  return { pid };
}

/** Writes a window size to conmon's ctl fifo; never blocks (no reader: nothing to resize). */
async function resize(fifo: string, rows: number, cols: number): Promise<void> {
  const fh = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => null);
  if (!fh) return;
  await fh.write(`1 ${rows} ${cols}\n`).catch(() => undefined);
  await fh.close();
}
