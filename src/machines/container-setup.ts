/**
 * The container machine's setup: the named pieces its states refer to (runtime actors, actions,
 * guards, delays). Its context and versions are in container-context.ts, its states in
 * container.ts. Pure: xstate only.
 */
import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import { execFailureCode } from '../errors.js';
import type { EffectOutput, ObservedStatus, RuntimeFailure } from './events.js';
import { ended, type ExecSession } from './exec-sessions.js';
import { backoffDelay, effectiveBackoff, nextStreak, RESTART_TIMER, shouldRestart } from './restart-policy.js';

export { ENDED_EXECS_KEPT, type ExecSession } from './exec-sessions.js';
import { resetAfterReboot, STOP_DEADLINE, type ContainerContext, type ContainerInput, type MachineEvent } from './container-context.js';
export { MACHINE_ID, MACHINE_VERSION, READABLE_VERSIONS, STOP_DEADLINE, initialContext, migrateContext, type ContainerContext, type ContainerInput } from './container-context.js';
import { HEALTH_TIMER, healthAtStart, healthRecorded, probeCounted, timed, unhealthyThen } from './health.js';


/**
 * The runtime calls the machine invokes, by name. Each has one entry in the host's call table
 * (actors/calls.ts: how it runs and how an interrupted one is settled), checked against this list.
 */
export const RUNTIME_CALLS = ['ociCreate', 'ociStart', 'ociKill', 'ociPause', 'ociResume', 'ociDelete', 'ociRemove', 'ociSync', 'ociExec', 'ociCheckpoint', 'ociRestore', 'ociRefresh', 'ociMount', 'ociUnmount'] as const;
export type RuntimeCall = (typeof RUNTIME_CALLS)[number];

const notProvided = (name: string) =>
  fromPromise<EffectOutput, Record<string, unknown>>(async () => {
    throw new Error(`runtime actor ${name} not provided`);
  });

/** Every runtime call as an actor whose default implementation throws: the host runs them itself. */
const runtimeActors = Object.fromEntries(RUNTIME_CALLS.map((name) => [name, notProvided(name)])) as Record<RuntimeCall, ReturnType<typeof notProvided>>;

const failed = (event: MachineEvent): string =>
  'error' in event ? (event.error as RuntimeFailure).message : 'runtime call failed';
const output = (event: MachineEvent): EffectOutput => ('output' in event ? event.output : {});
const observed = (event: MachineEvent, ...statuses: ObservedStatus[]): boolean => statuses.includes(output(event).observed?.status ?? ('' as ObservedStatus));

/**
 * The exit an event reports: one the monitor recorded, or a sync's finding that the process is
 * gone, with the exit conmon recorded for the run or, when none is known, -1.
 */
function exitOf(event: MachineEvent): { code: number; at: string | undefined; oomKilled: boolean } | null {
  if (event.type === 'runtime.exited') return event;
  const o = output(event).observed;
  if (!o) return null;
  return o.exit ?? { code: -1, at: output(event).at, oomKilled: false };
}

export const containerSetup = setup({
  types: {
    context: {} as ContainerContext,
    events: {} as MachineEvent,
    input: {} as ContainerInput,
  },
  actors: runtimeActors,
  actions: {
    /** Effect: queue a cleanup command for this run (Podman's exit command). */
    requestCleanup: () => {},
    recordError: assign({ error: ({ event }) => failed(event) }),
    wantStart: assign({ then: 'start' as const }),
    wantInit: assign({ then: 'init' as const }),
    clearThen: assign({ then: null }),
    beginStop: assign(({ context, event }) => ({
      stops: context.stops + 1,
      stopTimeout: event.type === 'cmd.stop' || event.type === 'cmd.restart' || event.type === 'cmd.remove' ? event.timeout : context.stopTimeout,
      restarting: event.type === 'cmd.restart',
      stoppedByUser: true,
    })),
    setKillSignal: assign({ killSignal: ({ event }) => (event.type === 'cmd.kill' ? event.signal : 'SIGKILL'), stoppedByUser: true }),
    escalate: assign({ killSignal: 'SIGKILL' }),
    created: assign(({ context, event }) => ({
      run: context.run + 1,
      pid: output(event).pid ?? 0,
      exitCode: 0,
      exited: false,
      oomKilled: false,
      error: '',
      // Podman's init() clears StoppedByUser
      stoppedByUser: false,
    })),
    started: assign(({ context, event }) => ({
      pid: output(event).pid ?? context.pid,
      startedAt: output(event).at ?? context.startedAt,
    })),
    /** An exit the monitor recorded, or one a sync found (the process gone behind Berth's back). */
    recordExit: assign(({ context, event }) => {
      const exit = exitOf(event);
      return exit
        ? {
            exitCode: exit.code,
            finishedAt: exit.at ?? context.finishedAt,
            oomKilled: exit.oomKilled,
            exited: true,
            pid: 0,
            // Podman's ErrConmonDead: the process is gone and nothing recorded how it ended
            error: exit.code === -1 ? 'container exit code could not be retrieved: no exit was recorded' : context.error,
          }
        : {};
    }),
    /** A sync where Berth holds nothing runc could correct (configured, stopped, exited). */
    nothingToSync: () => {},
    released: assign({ pid: 0, restarting: false }),
    /** Only a stop with a grace period set a deadline (stop -t 0 sends SIGKILL at once). */
    cancelDeadline: enqueueActions(({ context, enqueue }) => {
      if (context.stopTimeout > 0) enqueue.cancel(STOP_DEADLINE);
    }),
    /** A new session, running from now on as far as the container's state goes (it blocks cleanup). */
    beginExec: assign(({ context, event }) => {
      if (event.type !== 'cmd.exec') return {};
      const { type: _type, ...request } = event;
      const session: ExecSession = { id: event.session, command: event.command, user: event.user, workdir: event.workdir, tty: event.tty, stdin: event.stdin, pid: 0, running: true, exitCode: null, error: '', finishedAt: null };
      return { execs: { ...context.execs, [event.session]: session }, execStarting: request };
    }),
    execStarted: assign(({ context, event }) => {
      const id = context.execStarting?.session ?? '';
      const s = context.execs[id];
      return { execStarting: null, execs: s ? { ...context.execs, [id]: { ...s, pid: output(event).pid ?? 0 } } : context.execs };
    }),
    /** It could not be run: ended, 127 (not found) or 126 (cannot be run) as Podman; 125 for a bad user. */
    execFailed: assign(({ context, event }) => {
      const id = context.execStarting?.session ?? '';
      const f = 'error' in event ? (event.error as RuntimeFailure) : { code: 'EOCI', message: 'runtime call failed' };
      const code = f.code === 'EOCI' ? execFailureCode(f.message) : 125;
      return { execStarting: null, execs: ended(context.execs, id, code, f.message, output(event).at ?? null) };
    }),
    endExec: assign(({ context, event }) =>
      event.type === 'cmd.execExited'
        ? { execs: ended(context.execs, event.session, event.code, event.code === -1 ? 'exec session exit code could not be retrieved: its conmon is gone' : '', event.at) }
        : {},
    ),
    /**
     * After an exit the monitor recorded (recordExit first): per the policy, the restart's durable
     * timer, its delay the backoff (the spec's, else the worker's, the event's, else the default).
     */
    planRestart: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'runtime.exited' || !shouldRestart(context)) return;
      const b = effectiveBackoff(context.restart.backoff, event.backoff);
      const streak = nextStreak(context.restartStreak, context.startedAt, context.finishedAt, b);
      const delay = backoffDelay(streak, b);
      enqueue.assign({ restartStreak: streak + 1, restartScheduled: true, restartBackoffMs: delay });
      enqueue.raise({ type: 'timer.restart', restarts: context.restartCount }, { id: RESTART_TIMER, delay });
    }),
    /** A user's command: a scheduled restart is cancelled (its timer, by id). */
    cancelRestart: enqueueActions(({ context, enqueue }) => {
      if (!context.restartScheduled) return;
      enqueue.cancel(RESTART_TIMER);
      enqueue.assign({ restartScheduled: false });
    }),
    /** A user's start, init or restart: Podman resets RestartCount (and the backoff starts over). */
    userStart: enqueueActions(({ context, enqueue }) => {
      if (context.restartScheduled) enqueue.cancel(RESTART_TIMER);
      enqueue.assign({ restartScheduled: false, restartCount: 0, restartStreak: 0 });
    }),
    /** A user's stop or kill while a restart waits: no restart, and unless-stopped remembers it. */
    userStopWhileWaiting: assign({ stoppedByUser: true }),
    /** The restart's timer fired: one more policy restart. */
    policyRestart: assign(({ context }) => ({ restartCount: context.restartCount + 1, restartScheduled: false })),
    recordLoss: assign({ error: ({ event }) => (event.type === 'runtime.lost' ? event.reason : '') }),
    /** A checkpoint was written; without --leave-running the process is gone (ended, as Podman's). */
    checkpointed: assign(({ context, event }) => {
      const at = output(event).at ?? null;
      const mark = { checkpointed: true, checkpointedAt: at, restored: false, restoredAt: null };
      return output(event).leftRunning ? mark : { ...mark, pid: 0, exited: true, exitCode: 0, finishedAt: at ?? context.finishedAt };
    }),
    /** Running from a checkpoint (after `created` and `started`). */
    restored: assign(({ event }) => ({ restored: true, restoredAt: output(event).at ?? null, checkpointed: false, checkpointedAt: null })),
    /** The post-reboot reset of a container that had run this boot (resetAfterReboot). */
    refreshedRan: assign(({ context, event }) => resetAfterReboot(context, event, true)),
    /** The post-reboot reset of a created (or unknown) one. */
    refreshedNew: assign(({ context, event }) => resetAfterReboot(context, event, false)),
    // --- health (issue 13; health.ts) ---
    requestProbe: () => {}, // effect: the counted probe runs on the node, its result comes back as `health`
    countProbe: assign({ health: ({ context }) => probeCounted(context.health) }),
    healthStarted: assign({ health: ({ context }) => (context.healthcheck ? healthAtStart(context.health) : null) }),
    recordHealth: assign({ health: ({ context, event }) => healthRecorded(context, event) }),
    /** The next probe one interval from now (a result, a start, an unpause); while one runs, after timeout + interval too. */
    armHealth: enqueueActions(({ context: c, enqueue }) => void (timed(c) && enqueue.raise({ type: 'timer.health', run: c.run }, { id: HEALTH_TIMER, delay: 'healthInterval' }))),
    armWatchdog: enqueueActions(({ context: c, enqueue }) => void (timed(c) && enqueue.raise({ type: 'timer.health', run: c.run }, { id: HEALTH_TIMER, delay: 'healthWatchdog' }))),
    disarmHealth: enqueueActions(({ context: c, enqueue }) => void (timed(c) && enqueue.cancel(HEALTH_TIMER))),
    /** --health-on-failure=restart: a restart through the machine's restart, counted as Podman's policy restart. */
    healthRestart: assign(({ context }) => ({ restarting: true, restartCount: context.restartCount + 1 })),
    healthKill: assign({ killSignal: 'SIGKILL' }),
    // --- end health ---
    // --- mount / unmount (issue 11, point 3; container-mount.ts) ---
    countMount: assign({ mounts: ({ context }) => context.mounts + 1 }),
    dropMount: assign({ mounts: ({ context }) => Math.max(0, context.mounts - 1) }),
    clearMounts: assign({ mounts: 0 }),
    // --- end mount / unmount ---
  },
  guards: {
    thenStart: ({ context }) => context.then === 'start',
    thenCreate: ({ context }) => context.then !== null,
    isRestarting: ({ context }) => context.restarting,
    restartScheduled: ({ context }) => context.restartScheduled,
    /** The restart scheduled now (a timer of one cancelled since changes nothing). */
    isScheduledRestart: ({ context, event }) => event.type === 'timer.restart' && context.restartScheduled && event.restarts === context.restartCount,
    /** A session id not seen before (a retried job's is: it is not started twice). */
    isNewSession: ({ context, event }) => event.type === 'cmd.exec' && !Object.hasOwn(context.execs, event.session),
    isRunningSession: ({ context, event }) => event.type === 'cmd.execExited' && context.execs[event.session]?.running === true,
    /** The exit of the last running session. */
    isLastSession: ({ context, event }) =>
      event.type === 'cmd.execExited' && Object.values(context.execs).every((s) => !s.running || s.id === event.session),
    noExecSessions: ({ context }) => Object.values(context.execs).every((s) => !s.running),
    isForced: ({ event }) => event.type === 'cmd.remove' && event.force,
    /** rm -f with a grace period: the stop signal first, SIGKILL after the timeout (Podman 4). */
    isGracefulRemove: ({ event }) => event.type === 'cmd.remove' && event.force && event.timeout > 0,
    noGrace: ({ context }) => context.stopTimeout === 0,
    isCurrentStop: ({ context, event }) => 'stops' in event && event.stops === context.stops,
    /** An exit of an earlier run (a late exit file of a process a cleanup killed) changes nothing. */
    isCurrentRun: ({ context, event }) => event.type === 'runtime.exited' && (event.run === undefined || event.run === context.run),
    /** What a sync read: runc no longer runs the process (stopped), or no longer knows the container. */
    observedGone: ({ event }) => observed(event, 'stopped', 'absent'),
    observedRunning: ({ event }) => observed(event, 'running'),
    observedPaused: ({ event }) => observed(event, 'paused'),
    observedCreated: ({ event }) => observed(event, 'created'),
    /** The checkpoint was taken with --leave-running. */
    leftRunning: ({ event }) => output(event).leftRunning === true,
    // --- health (issue 13) ---
    hasHealthcheck: ({ context }) => context.healthcheck !== null && context.health !== null,
    isThisRun: ({ context, event }) => (event.type === 'cmd.health' || event.type === 'timer.health') && event.run === context.run,
    // a probe's result leaves it unhealthy, and its on-failure action is kill, stop or restart
    unhealthyKill: ({ context, event }) => unhealthyThen(context, event, 'kill'),
    unhealthyStop: ({ context, event }) => unhealthyThen(context, event, 'stop'),
    unhealthyRestart: ({ context, event }) => unhealthyThen(context, event, 'restart'),
    // --- mount / unmount ---
    hasMounts: ({ context }) => context.mounts > 0,
    isForcedUnmount: ({ event }) => event.type === 'cmd.unmount' && event.force,
    /** An unmount that leaves a counted mount (the overlay stays mounted). */
    keepsAMount: ({ context, event }) => event.type === 'cmd.unmount' && !event.force && context.mounts > 1,
    // --- end mount / unmount ---
  },
  delays: {
    stopTimeout: ({ context }) => Math.max(0, context.stopTimeout) * 1000,
    healthInterval: ({ context }) => context.healthcheck?.intervalMs ?? 0,
    healthWatchdog: ({ context }) => (context.healthcheck ? context.healthcheck.intervalMs + context.healthcheck.timeoutMs : 0),
  },
});

