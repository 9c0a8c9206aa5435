/**
 * Waiting for conmon to record an exit that runc already reports (the process is gone): conmon
 * reaps the process, writes the exit file (exit-file.ts) and then ends, all within milliseconds,
 * so a reader that comes in between would take an exit about to be recorded for one never
 * recorded. While the container's conmon still runs, the exit dir is watched (inotify) until the
 * exit file lands, conmon is seen gone, or `waitMs` passes; a conmon already gone (ended, or
 * killed) has written all it ever will, and there is no wait.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { readExitFile } from './exit-file.js';
import type { StateLayout } from './layout.js';
import type { ExitReadOptions, ExitRecord } from './types.js';

/** The container's conmon runs: its pidfile names a live process whose argv names the container. */
export async function conmonRuns(layout: StateLayout, id: string): Promise<boolean> {
  const pid = Number((await readFile(layout.conmonPidfile(id), 'utf8').catch(() => '')).trim());
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  // a pid taken by another process since (or a zombie: empty cmdline) is not this conmon
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
  return argv.includes(id);
}

export async function awaitExitFile(layout: StateLayout, id: string, opts: ExitReadOptions = {}): Promise<ExitRecord | null> {
  const waitMs = opts.waitMs ?? 0;
  /** Something happened to the exit file since the last look (set even while nobody waits). */
  let touched = false;
  let wake: () => void = () => {};
  let watcher: FSWatcher | undefined;
  if (waitMs > 0) {
    try {
      // watching starts before the first look, so an exit file landing in between is not missed
      watcher = watch(layout.exits, (_event, name) => {
        if (name?.toString() !== id) return;
        touched = true;
        wake();
      });
      watcher.on('error', () => {
        touched = true;
        wake();
      });
    } catch {
      watcher = undefined; // no exit dir: nothing was or will be recorded there
    }
  }
  const until = performance.now() + waitMs;
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      touched = false;
      // conmon first: one that has ended wrote its exit file before, so the read below sees it
      const waiting = watcher !== undefined && (await conmonRuns(layout, id));
      const exit = await readExitFile(layout, id);
      const left = until - performance.now();
      if (exit || !waiting || left <= 0) return exit;
      if (touched) continue; // it landed while we looked
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', done);
          resolve();
        }
        wake = done;
        // aborted while we looked: the loop's check throws its reason
        if (opts.signal?.aborted) done();
        else opts.signal?.addEventListener('abort', done, { once: true });
      });
    }
  } finally {
    watcher?.close();
  }
}
