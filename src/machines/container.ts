/**
 * The container statechart (libpod's lifecycle; see shared/LIFECYCLE.md). Pure: it imports only
 * xstate and names its effects. Runtime calls are invoked actors (ociCreate, ociStart, …) whose
 * default implementations throw; the worker never runs them inside an actor: it computes each
 * step with xstate's pure `transition()`, persists the snapshot, runs the named call itself and
 * feeds the result back as `xstate.done.actor.<id>` / `xstate.error.actor.<id>`.
 *
 * Top-level states are the public State.Status; their children are the in-flight runtime calls
 * (a container being paused is `running.pausing`, still Status "running", as in Podman where the
 * lock is held during the call). `stopping` and `removing` are real states, as in Podman 3+.
 */
import { and, assign, cancel, enqueueActions, fromPromise, not, raise, setup, stateIn } from 'xstate';
import type { ContainerEvent, DeadlineEvent, EffectOutput, EffectResultEvent, RuntimeFailure } from './events.js';

export const MACHINE_ID = 'container';
/** The id of a stop's durable deadline (a delayed `timer.stop` event). */
export const STOP_DEADLINE = 'stopDeadline';
/**
 * Bump when states or context change shape; snapshots of a version not in READABLE_VERSIONS are
 * refused. 2: the stop deadline is a `timer.stop` event handled by all of `stopping` (v1: an
 * `after` of stopping.waiting); states and context are unchanged, so v1 snapshots read as they are.
 */
export const MACHINE_VERSION = '2';
export const READABLE_VERSIONS: readonly string[] = ['1', '2'];

export interface ContainerInput {
  stopSignal: string;
  stopTimeout: number;
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
}

type MachineEvent = ContainerEvent | EffectResultEvent | DeadlineEvent;

const notProvided = (name: string) =>
  fromPromise<EffectOutput, Record<string, unknown>>(async () => {
    throw new Error(`runtime actor ${name} not provided`);
  });

const failed = (event: MachineEvent): string =>
  'error' in event ? (event.error as RuntimeFailure).message : 'runtime call failed';
const output = (event: MachineEvent): EffectOutput => ('output' in event ? event.output : {});

const containerSetup = setup({
  types: {
    context: {} as ContainerContext,
    events: {} as MachineEvent,
    input: {} as ContainerInput,
  },
  actors: {
    ociCreate: notProvided('ociCreate'),
    ociStart: notProvided('ociStart'),
    ociKill: notProvided('ociKill'),
    ociPause: notProvided('ociPause'),
    ociResume: notProvided('ociResume'),
    ociDelete: notProvided('ociDelete'),
    ociRemove: notProvided('ociRemove'),
  },
  actions: {
    /** Effect: queue a cleanup command for this run (Podman's exit command). */
    requestCleanup: () => {},
    recordError: assign({ error: ({ event }) => failed(event) }),
    wantStart: assign({ then: 'start' as const }),
    wantInit: assign({ then: 'init' as const }),
    clearThen: assign({ then: null }),
    beginStop: assign(({ context, event }) => ({
      stops: context.stops + 1,
      stopTimeout: event.type === 'cmd.stop' || event.type === 'cmd.restart' ? event.timeout : context.stopTimeout,
      restarting: event.type === 'cmd.restart',
    })),
    setKillSignal: assign({ killSignal: ({ event }) => (event.type === 'cmd.kill' ? event.signal : 'SIGKILL') }),
    escalate: assign({ killSignal: 'SIGKILL' }),
    created: assign(({ context, event }) => ({
      run: context.run + 1,
      pid: output(event).pid ?? 0,
      exitCode: 0,
      exited: false,
      oomKilled: false,
      error: '',
    })),
    started: assign(({ context, event }) => ({
      pid: output(event).pid ?? context.pid,
      startedAt: output(event).at ?? context.startedAt,
    })),
    recordExit: assign(({ context, event }) =>
      event.type === 'runtime.exited'
        ? {
            exitCode: event.code,
            finishedAt: event.at,
            oomKilled: event.oomKilled,
            exited: true,
            pid: 0,
            // Podman's ErrConmonDead: the process is gone and nothing recorded how it ended
            error: event.code === -1 ? 'container exit code could not be retrieved: no exit was recorded' : context.error,
          }
        : {},
    ),
    released: assign({ pid: 0, restarting: false }),
    /** Only a stop with a grace period set a deadline (stop -t 0 sends SIGKILL at once). */
    cancelDeadline: enqueueActions(({ context, enqueue }) => {
      if (context.stopTimeout > 0) enqueue.cancel(STOP_DEADLINE);
    }),
    recordLoss: assign({ error: ({ event }) => (event.type === 'runtime.lost' ? event.reason : '') }),
  },
  guards: {
    thenStart: ({ context }) => context.then === 'start',
    thenCreate: ({ context }) => context.then !== null,
    isRestarting: ({ context }) => context.restarting,
    isForced: ({ event }) => event.type === 'cmd.remove' && event.force,
    noGrace: ({ context }) => context.stopTimeout === 0,
    isCurrentStop: ({ context, event }) => 'stops' in event && event.stops === context.stops,
    /** An exit of an earlier run (a late exit file of a process a cleanup killed) changes nothing. */
    isCurrentRun: ({ context, event }) => event.type === 'runtime.exited' && (event.run === undefined || event.run === context.run),
  },
  delays: {
    stopTimeout: ({ context }) => Math.max(0, context.stopTimeout) * 1000,
  },
});

/** Creating in the runtime (`runc create` under conmon), from configured or exited. */
const initializing = containerSetup.createStateConfig({
  invoke: {
    id: 'create',
    src: 'ociCreate',
    input: ({ context }) => ({ run: context.run + 1 }),
    onDone: [
      { guard: 'thenStart', target: '#container.created.starting', actions: ['created', 'clearThen'] },
      { target: '#container.created', actions: ['created', 'clearThen'] },
    ],
    onError: { target: 'idle', actions: ['recordError', 'clearThen'] },
  },
});

/** Not in the runtime (configured, or exited: cleaned up); init or start creates it there. */
const outOfRuntime = containerSetup.createStateConfig({
  initial: 'idle',
  states: {
    idle: {
      on: {
        'cmd.init': { target: 'initializing', actions: 'clearThen' },
        'cmd.start': { target: 'initializing', actions: 'wantStart' },
        'cmd.restart': { target: 'initializing', actions: 'wantStart' },
        'cmd.cleanup': { target: 'idle', reenter: true },
        'cmd.remove': '#container.removing',
      },
    },
    initializing,
  },
});

/** A signal on its way to a running or paused container; the state does not change. */
const killing = containerSetup.createStateConfig({
  invoke: {
    id: 'kill',
    src: 'ociKill',
    input: ({ context }) => ({ signal: context.killSignal }),
    onDone: 'idle',
    onError: { target: 'idle', actions: 'recordError' },
  },
});

export const containerMachine = containerSetup.createMachine({
  id: MACHINE_ID,
  version: MACHINE_VERSION,
  initial: 'configured',
  context: ({ input }) => ({
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
  }),
  on: {
    'cmd.remove': { guard: and(['isForced', not(stateIn('removed'))]), target: '.removing' },
    'runtime.lost': { target: '.unknown', actions: 'recordLoss' },
  },
  states: {
    /** In Berth's store only; not in the runtime. */
    configured: outOfRuntime,
    /** `runc create` done under conmon: the process exists, blocked before exec. */
    created: {
      initial: 'idle',
      on: { 'runtime.exited': { guard: 'isCurrentRun', target: 'stopped', actions: 'recordExit' } },
      states: {
        idle: {
          on: {
            'cmd.start': 'starting',
            'cmd.restart': 'starting',
            'cmd.stop': { target: '#container.stopping', actions: 'beginStop' },
            'cmd.cleanup': 'releasing',
            'cmd.remove': '#container.removing',
          },
        },
        starting: {
          invoke: {
            id: 'start',
            src: 'ociStart',
            input: {},
            onDone: { target: '#container.running', actions: 'started' },
            onError: { target: 'idle', actions: 'recordError' },
          },
        },
        /** Cleanup of a created container: deleted from the runtime, back to configured. */
        releasing: {
          invoke: {
            id: 'delete',
            src: 'ociDelete',
            input: { force: true },
            onDone: { target: '#container.configured', actions: 'released' },
            onError: { target: 'idle', actions: 'recordError' },
          },
        },
      },
    },
    running: {
      initial: 'idle',
      on: { 'runtime.exited': { guard: 'isCurrentRun', target: 'stopped', actions: 'recordExit' } },
      states: {
        idle: {
          on: {
            'cmd.pause': 'pausing',
            'cmd.kill': { target: 'killing', actions: 'setKillSignal' },
            'cmd.stop': { target: '#container.stopping', actions: 'beginStop' },
            'cmd.restart': { target: '#container.stopping', actions: 'beginStop' },
          },
        },
        pausing: {
          invoke: {
            id: 'pause',
            src: 'ociPause',
            input: {},
            onDone: '#container.paused',
            onError: { target: 'idle', actions: 'recordError' },
          },
        },
        killing,
      },
    },
    /** Frozen by the cgroup freezer. Stop is refused here, as in every Podman era. */
    paused: {
      initial: 'idle',
      on: { 'runtime.exited': { guard: 'isCurrentRun', target: 'stopped', actions: 'recordExit' } },
      states: {
        idle: {
          on: {
            'cmd.unpause': 'unpausing',
            'cmd.kill': { target: 'killing', actions: 'setKillSignal' },
          },
        },
        unpausing: {
          invoke: {
            id: 'resume',
            src: 'ociResume',
            input: {},
            onDone: '#container.running',
            onError: { target: 'idle', actions: 'recordError' },
          },
        },
        killing,
      },
    },
    /**
     * The stop signal was sent; the queue is not held while the process winds down. A durable
     * deadline (stopTimeout, set on entering `waiting`, cancelled on leaving `stopping`) sends
     * SIGKILL; a kill queued meanwhile escalates at once.
     */
    stopping: {
      initial: 'signalling',
      on: {
        'runtime.exited': [
          { guard: and(['isCurrentRun', 'isRestarting']), target: 'stopped.cleaning', actions: ['recordExit', 'wantStart'] },
          { guard: 'isCurrentRun', target: 'stopped', actions: 'recordExit' },
        ],
        'cmd.kill': { target: '.killing', actions: 'setKillSignal' },
        'cmd.stop': { target: '.signalling', actions: 'beginStop', reenter: true },
        // SIGKILL at the deadline from wherever the stop has got to: a signal the user sent during
        // the grace period (kill -s SIGTERM) does not end it
        'timer.stop': { guard: 'isCurrentStop', target: '.killing', actions: 'escalate' },
      },
      exit: 'cancelDeadline',
      states: {
        signalling: {
          invoke: {
            id: 'kill',
            src: 'ociKill',
            // stop -t 0 sends SIGKILL at once, as Podman does: no stop signal, no deadline job
            input: ({ context }) => ({ signal: context.stopTimeout === 0 ? 'SIGKILL' : context.stopSignal }),
            onDone: [{ guard: 'noGrace', target: 'signalled' }, { target: 'waiting' }],
            onError: { target: 'waiting', actions: 'recordError' },
          },
        },
        /** The grace period: the stop's deadline is set (it belongs to the whole stop, see above). */
        waiting: {
          entry: raise(({ context }) => ({ type: 'timer.stop' as const, stops: context.stops }), { id: STOP_DEADLINE, delay: 'stopTimeout' }),
        },
        killing: {
          invoke: {
            id: 'kill',
            src: 'ociKill',
            input: ({ context }) => ({ signal: context.killSignal }),
            onDone: 'signalled',
            onError: { target: 'signalled', actions: 'recordError' },
          },
        },
        /** The last signal went out; only the exit (or another kill) moves on. */
        signalled: {},
      },
    },
    /** The process exited; the runtime still holds the container (libpod's "dirty" exit). */
    stopped: {
      initial: 'idle',
      states: {
        idle: {
          entry: 'requestCleanup',
          on: {
            'cmd.cleanup': 'cleaning',
            'cmd.init': { target: 'cleaning', actions: 'wantInit' },
            'cmd.start': { target: 'cleaning', actions: 'wantStart' },
            'cmd.restart': { target: 'cleaning', actions: 'wantStart' },
            'cmd.remove': '#container.removing',
          },
        },
        /** runc delete: the runtime container is released (then re-created when asked). */
        cleaning: {
          invoke: {
            id: 'delete',
            src: 'ociDelete',
            input: { force: true },
            onDone: [
              { guard: 'thenCreate', target: '#container.exited.initializing', actions: 'released' },
              { target: '#container.exited', actions: 'released' },
            ],
            onError: { target: 'idle', actions: ['recordError', 'clearThen'] },
          },
        },
      },
    },
    /** Stopped and cleaned up: exit code and times are kept. */
    exited: outOfRuntime,
    /** Removal persisted before the destructive steps, so a crash leaves it retryable. */
    removing: {
      initial: 'deleting',
      states: {
        deleting: {
          invoke: {
            id: 'remove',
            src: 'ociRemove',
            input: { force: true },
            onDone: '#container.removed',
            onError: { target: 'failed', actions: 'recordError' },
          },
        },
        failed: { on: { 'cmd.remove': 'deleting' } },
      },
    },
    /** Berth cannot read the runtime (its node is lost); only an observation or rm -f leaves. */
    unknown: {
      on: { 'runtime.exited': { guard: 'isCurrentRun', target: 'stopped', actions: 'recordExit' } },
    },
    removed: { type: 'final' },
  },
});

export type ContainerMachine = typeof containerMachine;
