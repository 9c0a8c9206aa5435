/**
 * Watches the exec sessions' dirs (`<stateDir>/exec/<id>/<session>/`) for the exits conmon
 * records, as exit-monitor.ts does for containers: each session's conmon writes
 * `<session dir>/exit/<id>` (its own exit dir). One recursive fs.watch (inotify) on the exec root,
 * a scan at start (exits recorded while no worker watched) and a rescan every `rescanMs` (inotify
 * can lose events). A session whose conmon is gone without an exit file (killed, or the node
 * rebooted) is reported with -1, as Podman reports a dead conmon, so it never stays "running".
 * Its exec log is a LogFiles of its own for the output shipper (execLogFiles).
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { BerthError } from '../errors.js';
import type { StateLayout } from './layout.js';
import type { ExecExitMonitor, ExecExitRecord, LogFiles } from './types.js';

const SESSION = /^[0-9a-f]{64}$/;
const SOURCE = /^([A-Za-z0-9_+-][A-Za-z0-9_.+-]*)\/([0-9a-f]{64})$/;

/** The exec logs as LogFiles: source `<id>/<session>`, file `<id>/<session>/log` under the exec root. */
export function execLogFiles(L: StateLayout): LogFiles {
  return {
    dir: L.execs,
    recursive: true,
    path: (source) => {
      const m = SOURCE.exec(source);
      return m ? L.execLog(m[1]!, m[2]!) : join(L.execs, 'none');
    },
    idOf: (file) => {
      const parts = file.split(sep);
      return parts.length === 3 && parts[2] === 'log' && SESSION.test(parts[1]!) ? `${parts[0]}/${parts[1]}` : null;
    },
  };
}

/** `<id>/<session>` of a source name, or null. */
export function parseSource(source: string): { id: string; session: string } | null {
  const m = SOURCE.exec(source);
  return m ? { id: m[1]!, session: m[2]! } : null;
}

/** A process that exists and has not exited: a zombie nobody reaped (a PID 1 that reaps nothing) is gone too. */
const alive = async (pid: number) => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // pid (comm) state …: comm may hold spaces and parentheses; the state follows the last ')'
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return stat !== '' && state !== 'Z' && state !== 'X';
};

export class ExecDirMonitor implements ExecExitMonitor {
  private watcher: FSWatcher | undefined;
  private rescan: NodeJS.Timeout | undefined;
  private onExit: ((exit: ExecExitRecord) => void) | undefined;
  private closed = false;
  /** `<id>/<session>` -> what was last reported for it */
  private readonly reported = new Map<string, string>();
  private readonly checks = new Map<string, Promise<void>>();

  constructor(
    private readonly layout: StateLayout,
    private readonly o: { rescanMs?: number; onError?: (err: Error) => void } = {},
  ) {}

  async start(onExit: (exit: ExecExitRecord) => void): Promise<void> {
    if (this.onExit) throw new BerthError('EINTERNAL', 'exec exit monitor already started');
    this.onExit = onExit;
    await mkdir(this.layout.execs, { recursive: true });
    this.watcher = watch(this.layout.execs, { recursive: true }, (_event, name) => {
      const parts = name ? name.toString().split(sep) : [];
      // <id>/<session>/exit/<id>
      if (parts.length === 4 && parts[2] === 'exit' && parts[3] === parts[0]) this.schedule(parts[0]!, parts[1]!, false);
    });
    this.watcher.on('error', (err) => this.o.onError?.(err));
    await this.scan();
    this.rescan = setInterval(() => void this.scan().catch((err: unknown) => this.o.onError?.(err as Error)), this.o.rescanMs ?? 10_000);
    this.rescan.unref();
  }

  /** Every session dir: its exit, or -1 when its conmon is gone without one. */
  async scan(): Promise<void> {
    for (const id of await readdir(this.layout.execs).catch(() => [] as string[])) {
      for (const session of await readdir(this.layout.execsOf(id)).catch(() => [] as string[])) {
        if (SESSION.test(session)) this.schedule(id, session, true);
      }
    }
  }

  /** Forgets a session whose exit was delivered: its dir goes. */
  async forget(id: string, session: string): Promise<void> {
    this.reported.delete(`${id}/${session}`);
    await rm(this.layout.execDir(id, session), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.rescan);
    this.watcher?.close();
    this.watcher = undefined;
    await Promise.all(this.checks.values());
    this.onExit = undefined;
  }

  private schedule(id: string, session: string, deadToo: boolean): void {
    if (this.closed) return;
    const key = `${id}/${session}`;
    const next = (this.checks.get(key) ?? Promise.resolve()).then(() => this.check(id, session, deadToo)).catch((err: unknown) => this.o.onError?.(err as Error));
    this.checks.set(key, next);
    void next.then(() => {
      if (this.checks.get(key) === next) this.checks.delete(key);
    });
  }

  private async check(id: string, session: string, deadToo: boolean): Promise<void> {
    const key = `${id}/${session}`;
    const path = this.layout.execExit(id, session);
    const st = await stat(path).catch(() => null);
    let exit: ExecExitRecord | null = null;
    let mark = '';
    if (st?.isFile()) {
      const text = (await readFile(path, 'utf8').catch(() => '')).trim();
      if (text === '') return;
      const code = Number(text);
      exit = { id, session, code: Number.isSafeInteger(code) ? code : -1, at: st.ctime.toISOString() };
      mark = `${st.ino}:${st.ctimeMs}`;
    } else if (deadToo) {
      const pid = Number((await readFile(this.layout.execConmonPidfile(id, session), 'utf8').catch(() => '')).trim());
      // conmon not started yet (no pid file) is left alone; one gone without an exit file is not
      if (!Number.isSafeInteger(pid) || pid <= 0 || (await alive(pid))) return;
      // it may have written the exit file just before it went
      if (await stat(path).then(() => true, () => false)) return this.check(id, session, false);
      exit = { id, session, code: -1, at: new Date().toISOString() };
      mark = 'dead';
    }
    if (!exit || this.closed || this.reported.get(key) === mark) return;
    this.reported.set(key, mark);
    this.onExit?.(exit);
  }
}
