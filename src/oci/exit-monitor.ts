/**
 * Watches conmon's exit dir (`<stateDir>/exits`). At start it reports every exit file already
 * there (exits recorded while no worker watched), then each new one as conmon renames it into
 * place: fs.watch (inotify) plus a stat of the named file. inotify can lose events (its queue
 * overflows under load; a watch can fail), and a lost exit would leave a container `running` or
 * `stopping` for good, so the dir is also listed again every `rescanMs` (10 s): a safety net that
 * costs one readdir, never the path exits normally take.
 *
 * conmon writes `<id>.XXXXXX` and renames it to `<id>`; inotify then reports several events for
 * one exit (notes §1.5). Temporary names are ignored, checks of one name run one at a time, and a
 * file is reported once per (inode, ctime), so duplicates collapse without a timer while a later
 * exit of the same container (a new file) is reported again. Ids that end in a dot and six
 * letters or digits would look like temporary names; Berth's ids are 64 hex digits.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { readExitFile, TEMP_EXIT_NAME } from './exit-file.js';
import { StateLayout } from './layout.js';
import type { ExitMonitor, ExitRecord } from './types.js';

export interface ExitDirMonitorOptions {
  /** Reads one exit; the default reads `<dir>/<id>` and the run it ends (exit-file.ts). */
  read?: (id: string) => Promise<ExitRecord | null>;
  /** Failures to watch or read; the default drops them (the next rescan reports the exit anyway). */
  onError?: (err: Error) => void;
  /** How often the dir is listed again, in case inotify lost an event (ms, default 10 s). */
  rescanMs?: number;
}

export class ExitDirMonitor implements ExitMonitor {
  private watcher: FSWatcher | undefined;
  private rescan: NodeJS.Timeout | undefined;
  private readonly rescanMs: number;
  private onExit: ((exit: ExitRecord) => void) | undefined;
  private closed = false;
  /** name -> `${ino}:${ctimeMs}` of the file last reported under it */
  private readonly reported = new Map<string, string>();
  /** name -> the tail of its chain of checks */
  private readonly checks = new Map<string, Promise<void>>();
  private readonly read: (id: string) => Promise<ExitRecord | null>;
  private readonly onError: (err: Error) => void;

  constructor(
    readonly dir: string,
    options: ExitDirMonitorOptions = {},
  ) {
    const layout = StateLayout.fromExitDir(dir);
    this.read = options.read ?? ((id) => readExitFile(layout, id));
    this.onError = options.onError ?? (() => undefined);
    this.rescanMs = options.rescanMs ?? 10_000;
  }

  async start(onExit: (exit: ExitRecord) => void): Promise<void> {
    if (this.onExit) throw new BerthError('EINTERNAL', `exit monitor of ${this.dir} already started`);
    this.onExit = onExit;
    this.closed = false;
    await mkdir(this.dir, { recursive: true });
    // watch first, then list: an exit landing in between is seen twice and reported once
    this.watcher = watch(this.dir, (_event, name) => {
      if (name) this.schedule(name.toString());
    });
    this.watcher.on('error', (err) => this.onError(err));
    await this.scan();
    this.rescan = setInterval(() => void this.scan().catch((err: unknown) => this.onError(err instanceof Error ? err : new Error(String(err)))), this.rescanMs);
    this.rescan.unref();
  }

  private async scan(): Promise<void> {
    for (const name of await readdir(this.dir)) this.schedule(name);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.rescan);
    this.watcher?.close();
    this.watcher = undefined;
    await Promise.all(this.checks.values());
    this.onExit = undefined;
  }

  private schedule(name: string): void {
    if (this.closed || name.startsWith('.') || TEMP_EXIT_NAME.test(name)) return;
    const next = (this.checks.get(name) ?? Promise.resolve()).then(
      () => this.check(name),
    ).catch((err: unknown) => this.onError(err instanceof Error ? err : new Error(String(err))));
    this.checks.set(name, next);
    void next.then(() => {
      if (this.checks.get(name) === next) this.checks.delete(name);
    });
  }

  private async check(name: string): Promise<void> {
    const st = await stat(join(this.dir, name)).catch(() => null);
    if (!st?.isFile() || this.closed) return;
    const key = `${st.ino}:${st.ctimeMs}`;
    if (this.reported.get(name) === key) return;
    const exit = await this.read(name);
    if (!exit || this.closed) return;
    this.reported.set(name, key);
    this.onExit?.(exit);
  }
}
