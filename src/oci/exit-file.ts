/**
 * conmon's exit file: `<exit-dir>/<id>` holds the decimal exit code (128+N for signal N) with no
 * newline, written atomically (a temporary `<id>.XXXXXX` renamed into place) within milliseconds
 * of the exit. Its ctime is the exit time. With `--persist-dir D`, conmon first writes `D/exit`
 * (and gives up, writing no exit file, when D is gone), and leaves an empty `D/oom` when the
 * memory cgroup OOM-killed the container.
 *
 * Each run of a container has its own persist dir (`runs/<run>`, the only one kept: creating a
 * run removes the others), so an exit file tells which run it ends: a late exit of a process a
 * cleanup killed is never taken for the exit of the run created after it.
 */
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateLayout } from './layout.js';
import type { ExitRecord } from './types.js';

/** conmon's temporary names (g_file_set_contents): `<id>.` plus six random characters. */
export const TEMP_EXIT_NAME = /\.[A-Za-z0-9]{6}$/;

const exists = (path: string) => access(path).then(() => true, () => false);

/**
 * The run whose persist dir holds conmon's exit record and that dir; `{ run: undefined }` with the
 * legacy dir for a container created before runs had dirs; null when no run claims the exit.
 */
async function exitedRun(layout: StateLayout, id: string): Promise<{ run: number | undefined; dir: string } | null> {
  const names = await readdir(layout.runs(id)).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : Promise.reject(err)));
  // only a container created before runs had dirs has none: creating a run makes its dir first
  if (names === null) return { run: undefined, dir: layout.legacyPersist(id) };
  const runs = names.filter((n) => /^[1-9][0-9]*$/.test(n)).map(Number).sort((a, b) => b - a);
  for (const run of runs) if (await exists(join(layout.persist(id, run), 'exit'))) return { run, dir: layout.persist(id, run) };
  return null;
}

/** Reads `<exits>/<id>` and the run it ends; null when there is no (complete, claimed) exit file. */
export async function readExitFile(layout: StateLayout, id: string): Promise<ExitRecord | null> {
  const path = layout.exit(id);
  const st = await stat(path).catch(() => null);
  if (!st?.isFile()) return null;
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null || text.trim() === '') return null;
  const owner = await exitedRun(layout, id);
  if (!owner) return null; // written by a run whose dir is gone: an earlier run, already settled
  const code = Number(text.trim());
  const oomKilled = await exists(join(owner.dir, 'oom'));
  return { id, code: Number.isSafeInteger(code) ? code : -1, at: st.ctime.toISOString(), oomKilled, ...(owner.run === undefined ? {} : { run: owner.run }) };
}
