/**
 * The container machine's events: one discriminated union, dot-namespaced by origin.
 *   cmd.*      commands from users (CLI, API, foreign BullMQ producers) or from Berth itself
 *   runtime.*  observations of the OCI runtime (an exit recorded by the monitor)
 *   xstate.*   results of invoked runtime calls, fed back by the worker (a sync's reading of the
 *              runtime among them: `output.observed`)
 *   timer.*    durable timers (the stop deadline)
 */

import type { RestartBackoff } from './restart-policy.js';
import type { ProbeResult } from './health.js';

export interface RuntimeFailure {
  code: string;
  message: string;
}

export type CommandEvent =
  | { type: 'cmd.init' }
  | { type: 'cmd.start' }
  | { type: 'cmd.stop'; timeout: number }
  | { type: 'cmd.kill'; signal: string }
  | { type: 'cmd.pause' }
  | { type: 'cmd.unpause' }
  | { type: 'cmd.restart'; timeout: number }
  | { type: 'cmd.cleanup' }
  /** `timeout`: with `force`, seconds between a running container's stop signal and SIGKILL (0: SIGKILL at once). */
  | { type: 'cmd.remove'; force: boolean; timeout: number }
  | { type: 'cmd.sync' }
  | ExecEvent
  | CheckpointEvent
  | HealthEvent
  | MountEvent;

/** `berth mount` / `unmount` (the seed's Mount, Unmount(force)), issue 11 point 3. */
export type MountEvent = { type: 'cmd.mount' } | { type: 'cmd.unmount'; force: boolean };


/** checkpoint / restore (CRIU) and the post-reboot refresh (Berth-only), issue 12 points 4 and 5. */
export type CheckpointEvent =
  | { type: 'cmd.checkpoint'; keep: boolean; leaveRunning: boolean; tcpEstablished: boolean; export: string }
  | { type: 'cmd.restore'; keep: boolean; tcpEstablished: boolean; import: string }
  /** The node rebooted (its boot id changed): reset as Podman does after a reboot; `reason` is recorded. */
  | { type: 'cmd.refresh'; reason: string };


/** Health checks (issue 13): `healthcheck run` (a user's), a probe's result (Berth-only). */
export type HealthEvent = { type: 'cmd.healthcheck' } | ({ type: 'cmd.health' } & ProbeResult);

/** The durable timer of the next probe, for run `run`. */
export type HealthTimerEvent = { type: 'timer.health'; run: number };

/** An exec session's request (the job's arguments, validated by the command table). */
export interface ExecRequest {
  /** 64 hex digits, made by the client so it can read the session's output from the first byte. */
  session: string;
  command: string[];
  env: string[];
  workdir: string;
  user: string;
  tty: boolean;
  stdin: boolean;
  rows?: number;
  cols?: number;
}

export type ExecEvent =
  | ({ type: 'cmd.exec' } & ExecRequest)
  /** The session's conmon recorded its exit (Berth-only). */
  | { type: 'cmd.execExited'; session: string; code: number; at: string };

export type RuntimeEvent =
  /** `run`: the run (context.run) whose process exited; absent in exits recorded before runs were. */
  /** `backoff`: the worker's restart backoff (a container's spec overrides it); never from a job. */
  | { type: 'runtime.exited'; code: number; at: string; oomKilled: boolean; run?: number; backoff?: Partial<RestartBackoff> }
  | { type: 'runtime.lost'; reason: string };

/** What the worker feeds back after running an invoked runtime call. */
export type EffectResultEvent =
  | { type: `xstate.done.actor.${string}`; output: EffectOutput }
  | { type: `xstate.error.actor.${string}`; error: RuntimeFailure };

/** The durable stop deadline; `stops` says which stop scheduled it (stale deadlines are ignored). */
export type DeadlineEvent = { type: 'timer.stop'; stops: number };

/** A policy restart's durable timer; `restarts`: the RestartCount it was scheduled at. */
export type RestartTimerEvent = { type: 'timer.restart'; restarts: number };

/** An event a durable timer delivers (timer.<name>). */
export type TimerEvent = DeadlineEvent | RestartTimerEvent | HealthTimerEvent;

/** The deadline event of machine version 1 (an `after` of stopping.waiting), still in delayed jobs. */
export const LEGACY_STOP_DEADLINE = 'xstate.after.stopTimeout.container.stopping.waiting';

export type ContainerEvent = CommandEvent | RuntimeEvent;

/** What `runc state` says of a container; `absent` when runc does not know it. */
export type ObservedStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped' | 'absent';

/** What a sync read from the runtime (the `ociSync` call): the machine's guards branch on it. */
export interface Observed {
  status: ObservedStatus;
  /** The exit conmon recorded for the current run, once its process is gone; null when none is known. */
  exit: { code: number; at: string; oomKilled: boolean } | null;
}

export interface EffectOutput {
  pid?: number;
  /** When the call took effect (start), or when the runtime was read (sync). */
  at?: string;
  /** A sync's reading of the runtime. */
  observed?: Observed;
  /** A checkpoint left the container running (--leave-running). */
  leftRunning?: boolean;
}

/** Event factories: one per event, so callers never spell a type string. */
export const events = {
  init: (): CommandEvent => ({ type: 'cmd.init' }),
  start: (): CommandEvent => ({ type: 'cmd.start' }),
  stop: (timeout: number): CommandEvent => ({ type: 'cmd.stop', timeout }),
  kill: (signal: string): CommandEvent => ({ type: 'cmd.kill', signal }),
  pause: (): CommandEvent => ({ type: 'cmd.pause' }),
  unpause: (): CommandEvent => ({ type: 'cmd.unpause' }),
  restart: (timeout: number): CommandEvent => ({ type: 'cmd.restart', timeout }),
  cleanup: (): CommandEvent => ({ type: 'cmd.cleanup' }),
  remove: (force: boolean, timeout = 0): CommandEvent => ({ type: 'cmd.remove', force, timeout }),
  sync: (): CommandEvent => ({ type: 'cmd.sync' }),
  checkpoint: (o: { keep: boolean; leaveRunning: boolean; tcpEstablished: boolean; export: string }): CommandEvent => ({ type: 'cmd.checkpoint', ...o }),
  restore: (o: { keep: boolean; tcpEstablished: boolean; import: string }): CommandEvent => ({ type: 'cmd.restore', ...o }),
  refresh: (reason: string): CommandEvent => ({ type: 'cmd.refresh', reason }),
  exec: (r: ExecRequest): CommandEvent => ({ type: 'cmd.exec', ...r }),
  execExited: (session: string, code: number, at: string): CommandEvent => ({ type: 'cmd.execExited', session, code, at }),
  exited: (code: number, at: string, oomKilled = false, run?: number, backoff?: Partial<RestartBackoff>): RuntimeEvent => ({
    type: 'runtime.exited',
    code,
    at,
    oomKilled,
    ...(run === undefined ? {} : { run }),
    ...(backoff === undefined ? {} : { backoff }),
  }),
  lost: (reason: string): RuntimeEvent => ({ type: 'runtime.lost', reason }),
  healthcheck: (): CommandEvent => ({ type: 'cmd.healthcheck' }),
  mount: (): CommandEvent => ({ type: 'cmd.mount' }),
  unmount: (force = false): CommandEvent => ({ type: 'cmd.unmount', force }),
  health: (r: ProbeResult): CommandEvent => ({ type: 'cmd.health', ...r }),
  deadline: (type: string, stops: number): DeadlineEvent => ({ type: type === LEGACY_STOP_DEADLINE ? 'timer.stop' : (type as 'timer.stop'), stops }),
  done: (invokeId: string, output: EffectOutput = {}): EffectResultEvent => ({
    type: `xstate.done.actor.${invokeId}`,
    output,
  }),
  failed: (invokeId: string, error: RuntimeFailure): EffectResultEvent => ({
    type: `xstate.error.actor.${invokeId}`,
    error,
  }),
};
