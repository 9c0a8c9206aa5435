/**
 * `berth exec inspect ID`: an exec session, running or among the last ones its container keeps
 * (ENDED_EXECS_KEPT), found by its id among the containers' persisted states. The shape follows
 * Podman's exec inspect (ID, ContainerID, Running, ExitCode, Pid, ProcessConfig) with the
 * command also as one field and the end's time and error. Read straight from the records: no
 * job, no machine hydrated.
 */
import { BerthError } from '../errors.js';
import type { ExecSession } from '../machines/index.js';
import type { ContainerStore } from '../store/containers.js';
import type { ContainerRecord } from '../store/records.js';

export interface ExecInspect {
  ID: string;
  ContainerID: string;
  Command: string[];
  Running: boolean;
  /** null while it runs. */
  ExitCode: number | null;
  Pid: number;
  OpenStdin: boolean;
  FinishedAt: string | null;
  Error: string;
  ProcessConfig: { entrypoint: string; arguments: string[]; tty: boolean; user: string; workDir: string };
}

/** The sessions a record's snapshot holds, without hydrating it; {} when unreadable. */
export function persistedExecs(record: ContainerRecord): Record<string, ExecSession> {
  try {
    const execs = (JSON.parse(record.snapshot) as { snapshot?: { context?: { execs?: unknown } } }).snapshot?.context?.execs;
    return typeof execs === 'object' && execs !== null ? (execs as Record<string, ExecSession>) : {};
  } catch {
    return {};
  }
}

export async function execInspect(store: ContainerStore, session: string): Promise<ExecInspect> {
  if (!/^[0-9a-f]{64}$/.test(session)) throw new BerthError('EINVAL', `invalid exec session id ${JSON.stringify(session.slice(0, 80))}: expected 64 hex digits`);
  for (const record of await store.list()) {
    const s = persistedExecs(record)[session];
    if (s?.id !== session) continue;
    return {
      ID: s.id,
      ContainerID: record.id,
      Command: s.command,
      Running: s.running,
      ExitCode: s.exitCode,
      Pid: s.pid,
      OpenStdin: s.stdin,
      FinishedAt: s.finishedAt,
      Error: s.error,
      ProcessConfig: { entrypoint: s.command[0] ?? '', arguments: s.command.slice(1), tty: s.tty, user: s.user, workDir: s.workdir },
    };
  }
  // Podman's words for an unknown session (define.ErrNoSuchExecSession)
  throw new BerthError('ENOCTR', `no such exec session: ${session}`);
}
