/**
 * Exec sessions as the container's context keeps them (`berth exec inspect`), and how one ends.
 * Pure.
 */

/** Ended exec sessions kept for `exec inspect` (the oldest go first). */
export const ENDED_EXECS_KEPT = 16;

/** An exec session as the container's state keeps it (`berth exec inspect`). */
export interface ExecSession {
  id: string;
  command: string[];
  user: string;
  workdir: string;
  tty: boolean;
  stdin: boolean;
  /** 0 until runc has started it. */
  pid: number;
  running: boolean;
  /** null while it runs. */
  exitCode: number | null;
  /** Why it could not be run, or how it ended without an exit recorded. */
  error: string;
  finishedAt: string | null;
}

/** `execs` with session `id` ended, and only the last ENDED_EXECS_KEPT ended sessions kept. */
export function ended(execs: Record<string, ExecSession>, id: string, exitCode: number, error: string, at: string | null): Record<string, ExecSession> {
  const s = execs[id];
  if (!s) return execs;
  const rest = Object.fromEntries(Object.entries(execs).filter(([k]) => k !== id));
  const next = { ...rest, [id]: { ...s, running: false, exitCode, error, finishedAt: at } };
  const endedIds = Object.values(next).filter((e) => !e.running).map((e) => e.id);
  for (const old of endedIds.slice(0, Math.max(0, endedIds.length - ENDED_EXECS_KEPT))) delete next[old];
  return next;
}

