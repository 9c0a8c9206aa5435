/**
 * A container's per-run persist dirs (conmon --persist-dir): the one of the run being created is
 * made fresh, the others go.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateLayout } from './layout.js';

/**
 * Leaves the run's own persist dir, empty, as the only one: made first and the others removed
 * after, so that at no moment does an exit file look like one of a container from before runs
 * had dirs; a process of an earlier run that exits late then finds its dir gone.
 */
export async function onlyRun(L: StateLayout, id: string, run: number): Promise<void> {
  await rm(L.persist(id, run), { recursive: true, force: true });
  await mkdir(L.persist(id, run), { recursive: true });
  for (const name of await readdir(L.runs(id))) {
    if (name !== String(run)) await rm(join(L.runs(id), name), { recursive: true, force: true });
  }
  await rm(L.legacyPersist(id), { recursive: true, force: true });
}
