/**
 * conmon's exit file: `<exit-dir>/<id>` holds the decimal exit code (128+N for signal N) with no
 * newline, written atomically (a temporary `<id>.XXXXXX` renamed into place) within milliseconds
 * of the exit. Its ctime is the exit time. With `--persist-dir D`, conmon also leaves an empty
 * `D/oom` when the memory cgroup OOM-killed the container.
 */
import { access, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExitRecord } from './types.js';

/** conmon's temporary names (g_file_set_contents): `<id>.` plus six random characters. */
export const TEMP_EXIT_NAME = /\.[A-Za-z0-9]{6}$/;

/** Reads `<dir>/<id>`; null when there is no (complete) exit file. */
export async function readExitFile(dir: string, id: string, oomMarker?: string): Promise<ExitRecord | null> {
  const path = join(dir, id);
  const st = await stat(path).catch(() => null);
  if (!st?.isFile()) return null;
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null || text.trim() === '') return null;
  const code = Number(text.trim());
  const oomKilled = oomMarker === undefined ? false : await access(oomMarker).then(() => true, () => false);
  return { id, code: Number.isSafeInteger(code) ? code : -1, at: st.ctime.toISOString(), oomKilled };
}
