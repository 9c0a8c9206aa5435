/**
 * The container machine's context: its shape, a new container's, the reset after a reboot, and
 * how a snapshot of an older machine version reads (the version history is here). Pure.
 */
import type { ContainerEvent, DeadlineEvent, ExecRequest, HealthTimerEvent, EffectResultEvent, RestartTimerEvent } from './events.js';
import { ended, type ExecSession } from './exec-sessions.js';
import { NO_RESTART, type RestartSpec } from './restart-policy.js';
import type { HealthPolicy, HealthState } from './health.js';

export const MACHINE_ID = 'container';
/** The id of a stop's durable deadline (a delayed `timer.stop` event). */
export const STOP_DEADLINE = 'stopDeadline';
/**
 * Bump when states or context change shape; snapshots of a version not in READABLE_VERSIONS are
 * refused. 2: the stop deadline is a `timer.stop` event handled by all of `stopping` (v1: an
 * `after` of stopping.waiting); states and context are unchanged, so v1 snapshots read as they are.
 * 3: a sync's `syncing` child in created, running, paused, stopping and unknown (unknown gained
 * children: idle, syncing); the context is unchanged, and a v1 or v2 `unknown` reads as
 * unknown.idle, so older snapshots read as they are. A Berth of v2 refuses v3 snapshots, which
 * may hold states it does not have.
 * 4: removing gained `signalling` and `waiting` (rm -f of a running container: the stop signal,
 * the deadline, then deleting); earlier snapshots read as they are, a Berth of v3 refuses v4 ones.
 * 5: exec sessions: `running.execing` (the ociExec call) and the context's `execs` and
 * `execStarting`; older snapshots gain an empty `execs` when read (migrateContext).
 * 6 (checkpoint): configured and exited gained `restoring` (ociRestore) and `refreshing`
 * (ociRefresh, the post-reboot reset), running gained `checkpointing` (ociCheckpoint); the context
 * gained `checkpointed`, `checkpointedAt`, `restored` and `restoredAt`, which older snapshots gain
 * as false / null when read (migrateContext).
 * 6 (restart): restart policies; the context's `restart`, `stoppedByUser`, `restartStreak`,
 * `restartScheduled` and `restartBackoffMs` (older snapshots gain policy no, not stopped by a
 * user, nothing scheduled), and `timer.restart` in stopped.idle, configured.idle and exited.idle.
 * 6 (health): the context's `healthcheck` (policy) and `health` (State.Health), null without a
 * health check, as older snapshots read (migrateContext); no new states (all in `running`).
 * 7 (storage mailbox): `berth mount`/`unmount` are machine commands; configured and exited gained
 * `mounting` (ociMount) and `unmounting` (ociUnmount), and the context `mounts` (the counted
 * mounts, kept on the node in a file before), which older snapshots gain as 0 (migrateContext).
 * A Berth of v6 refuses v7 snapshots.
 */
export const MACHINE_VERSION = '7';
export const READABLE_VERSIONS: readonly string[] = ['1', '2', '3', '4', '5', '6', '7'];

/** A context persisted by an older version, with what this version added (pure). */
export function migrateContext(version: string, context: Record<string, unknown>): Record<string, unknown> {
  if (Number(version) >= 7) return context;
  // 7 (storage mailbox): no counted mount (a v6 node's count file is not carried over)
  if (Number(version) >= 6) return { mounts: 0, ...context };
  // 6 (checkpoint): never checkpointed nor restored; 6 (restart): no policy, no user stop, no restart scheduled
  const v6 = {
    checkpointed: false,
    checkpointedAt: null,
    restored: false,
    restoredAt: null,
    restart: { ...NO_RESTART },
    stoppedByUser: false,
    restartStreak: 0,
    restartScheduled: false,
    restartBackoffMs: 0,
    // 6 (health): no health check
    healthcheck: null,
    health: null,
    mounts: 0,
    ...context,
  };
  if (Number(version) >= 5) return v6;
  return { ...v6, execs: context['execs'] ?? {}, execStarting: context['execStarting'] ?? null };
}

export interface ContainerInput {
  stopSignal: string;
  stopTimeout: number;
  /** The restart policy (default: no). */
  restart?: RestartSpec;
  healthcheck?: HealthPolicy | null; // the spec's health check policy (its command stays in the spec)
}

export interface ContainerContext {
  /** How many times the container was created in the runtime. */
  run: number;
  /** How many stops were asked for; a stop deadline carries the number it belongs to. */
  stops: number;
  pid: number;
  exitCode: number;
  /** The current run has ended (an exit was recorded). */
  exited: boolean;
  oomKilled: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  /** The last runtime error; cleared by init, as in Podman. */
  error: string;
  restartCount: number;
  stopSignal: string;
  /** Seconds to wait after the stop signal before SIGKILL (the current stop's). */
  stopTimeout: number;
  killSignal: string;
  /** Where a chain of runtime calls is headed: re-create (init) or re-create and start. */
  then: 'init' | 'start' | null;
  /** A restart is in progress: the exit that ends it starts the container again. */
  restarting: boolean;
  /** Exec sessions: the running ones, then up to ENDED_EXECS_KEPT ended ones, oldest first. */
  execs: Record<string, ExecSession>;
  /** The request of the session being started (ociExec in flight); its env is dropped once started. */
  execStarting: ExecRequest | null;
  /** Podman's State.Checkpointed / CheckpointedAt: the last checkpoint, until a restore or a reboot. */
  checkpointed: boolean;
  checkpointedAt: string | null;
  /** Podman's State.Restored / RestoredAt: running from a checkpoint. */
  restored: boolean;
  restoredAt: string | null;
  // --- restart policy (v6) ---
  restart: RestartSpec;
  /** Stopped or killed by a user (stop, kill, restart, rm -f) since its last init: never restarted. */
  stoppedByUser: boolean;
  /** Policy restarts in a row whose run was shorter than the backoff's reset (the next delay's exponent). */
  restartStreak: number;
  /** A policy restart is scheduled (the durable timer RESTART_TIMER). */
  restartScheduled: boolean;
  /** The delay of the restart scheduled (or of the last one), ms. */
  restartBackoffMs: number;
  /** The health check's policy, and State.Health; both null without a health check. */
  healthcheck: HealthPolicy | null;
  health: HealthState | null;
  /** `berth mount`s held (the seed's storage mount count): cleanup keeps the overlay mounted while any is (v7). */
  mounts: number;
}

/** A new container's context: no run yet, its stop signal and timeout from its spec. */
export function initialContext(input: ContainerInput): ContainerContext {
  return {
    run: 0,
    stops: 0,
    pid: 0,
    exitCode: 0,
    exited: false,
    oomKilled: false,
    startedAt: null,
    finishedAt: null,
    error: '',
    restartCount: 0,
    stopSignal: input.stopSignal,
    stopTimeout: input.stopTimeout,
    killSignal: 'SIGKILL',
    then: null,
    restarting: false,
    execs: {},
    execStarting: null,
    checkpointed: false,
    checkpointedAt: null,
    restored: false,
    restoredAt: null,
    restart: input.restart ?? { ...NO_RESTART },
    stoppedByUser: false,
    restartStreak: 0,
    restartScheduled: false,
    restartBackoffMs: 0,
    healthcheck: input.healthcheck ?? null,
    health: input.healthcheck ? { status: 'starting', failingStreak: 0, log: [], probes: 0 } : null,
    mounts: 0,
  };
}

export type MachineEvent = ContainerEvent | EffectResultEvent | DeadlineEvent | RestartTimerEvent | HealthTimerEvent;

/**
 * libpod's resetContainerState: no process, no exec sessions, no checkpoint mark, restart count
 * 0; the refresh's `reason` kept as the error. `ran`: it had run this boot (it ends exited).
 */
export function resetAfterReboot(context: ContainerContext, event: MachineEvent, ran: boolean): Partial<ContainerContext> {
  const reason = event.type === 'cmd.refresh' ? event.reason : 'refreshed after a reboot';
  let execs = context.execs;
  for (const s of Object.values(execs)) if (s.running) execs = ended(execs, s.id, -1, reason, null);
  return {
    pid: 0,
    exited: ran || context.exited,
    error: reason,
    execs,
    execStarting: null,
    then: null,
    restarting: false,
    restartCount: 0,
    checkpointed: false,
    checkpointedAt: null,
    restored: false,
    restoredAt: null,
    // a reboot unmounted every overlay (Podman's resetState clears the mount too)
    mounts: 0,
  };
}

