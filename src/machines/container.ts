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
import { and, not, raise, stateIn } from 'xstate';
import { containerSetup, MACHINE_ID, MACHINE_VERSION, STOP_DEADLINE, initialContext } from './container-setup.js';
import { removing } from './container-remove.js';
import { syncing } from './container-sync.js';
import { execEnded, execEndedWhenStopped, execing, startExec } from './container-exec.js';
import { checkpointing, onRefresh, refreshing, restoring } from './container-checkpoint.js';
import { healthOnRunning } from './container-health.js';
import { mounting, mountOutOfRuntime, mountWhileHeld, unmounting } from './container-mount.js';

export { MACHINE_ID, MACHINE_VERSION, READABLE_VERSIONS, RUNTIME_CALLS, STOP_DEADLINE } from './container-setup.js';
export type { ContainerContext, ContainerInput, RuntimeCall } from './container-setup.js';

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
        'cmd.init': { target: 'initializing', actions: ['clearThen', 'userStart'] },
        'cmd.start': { target: 'initializing', actions: ['wantStart', 'userStart'] },
        'cmd.restart': { target: 'initializing', actions: ['wantStart', 'userStart'] },
        'cmd.cleanup': { target: 'idle', reenter: true },
        'cmd.remove': { target: '#container.removing', actions: 'cancelRestart' },
        // a restart waiting out its backoff: the timer starts it; a user's stop or kill cancels it
        'timer.restart': { guard: 'isScheduledRestart', target: 'initializing', actions: ['wantStart', 'policyRestart'] },
        'cmd.stop': { guard: 'restartScheduled', actions: ['userStopWhileWaiting', 'cancelRestart'] },
        'cmd.kill': { guard: 'restartScheduled', actions: ['userStopWhileWaiting', 'cancelRestart'] },
        // not in the runtime: nothing to re-read (Podman's Sync skips configured and exited too)
        'cmd.sync': { actions: 'nothingToSync' },
        'cmd.restore': 'restoring',
        ...mountOutOfRuntime,
      },
    },
    initializing,
    restoring,
    refreshing,
    mounting,
    unmounting,
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
  context: ({ input }) => initialContext(input),
  on: {
    'cmd.remove': { guard: and(['isForced', not(stateIn('removed'))]), target: '.removing', actions: 'cancelRestart' },
    'runtime.lost': { target: '.unknown', actions: 'recordLoss' },
    'cmd.execExited': execEnded,
    'cmd.refresh': onRefresh,
    ...mountWhileHeld,
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
            'cmd.start': { target: 'starting', actions: 'userStart' },
            'cmd.restart': { target: 'starting', actions: 'userStart' },
            'cmd.stop': { target: '#container.stopping', actions: 'beginStop' },
            'cmd.cleanup': 'releasing',
            'cmd.remove': '#container.removing',
            'cmd.sync': 'syncing',
          },
        },
        syncing: syncing('created'),
        starting: {
          invoke: {
            id: 'start',
            src: 'ociStart',
            input: {},
            onDone: { target: '#container.running', actions: ['started', 'healthStarted'] },
            onError: { target: 'idle', actions: 'recordError' },
          },
        },
        /** Cleanup of a created container: deleted from the runtime, back to configured. */
        releasing: {
          invoke: {
            id: 'delete',
            src: 'ociDelete',
            input: ({ context }) => ({ force: true, keepStorage: context.mounts > 0 }),
            onDone: { target: '#container.configured', actions: 'released' },
            onError: { target: 'idle', actions: 'recordError' },
          },
        },
      },
    },
    running: {
      initial: 'idle',
      // health probes run only while it runs: the timer is set on entering, cancelled on leaving
      entry: 'armHealth',
      exit: 'disarmHealth',
      on: {
        'runtime.exited': { guard: 'isCurrentRun', target: 'stopped', actions: ['recordExit', 'planRestart'] },
        // rm -f stops a running container first, as Podman 4 does (others: the root's forced remove)
        'cmd.remove': { guard: 'isGracefulRemove', target: '#container.removing.signalling', actions: 'beginStop' },
        ...healthOnRunning,
      },
      states: {
        idle: {
          on: {
            'cmd.pause': 'pausing',
            'cmd.kill': { target: 'killing', actions: 'setKillSignal' },
            'cmd.stop': { target: '#container.stopping', actions: 'beginStop' },
            'cmd.restart': { target: '#container.stopping', actions: ['beginStop', 'userStart'] },
            'cmd.sync': 'syncing',
            'cmd.exec': startExec,
            'cmd.checkpoint': 'checkpointing',
          },
        },
        syncing: syncing('running'),
        execing,
        checkpointing,
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
      on: { 'runtime.exited': { guard: 'isCurrentRun', target: 'stopped', actions: ['recordExit', 'planRestart'] } },
      states: {
        idle: {
          on: {
            'cmd.unpause': 'unpausing',
            'cmd.kill': { target: 'killing', actions: 'setKillSignal' },
            'cmd.sync': 'syncing',
          },
        },
        syncing: syncing('paused'),
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
        // the deadline stays set: a process still there goes on to `signalled`, as after a kill
        'cmd.sync': '.syncing',
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
        syncing: syncing('stopping', 'signalled'),
      },
    },
    /** The process exited; the runtime still holds the container (libpod's "dirty" exit). */
    stopped: {
      initial: 'idle',
      states: {
        idle: {
          entry: 'requestCleanup',
          on: {
            // exec sessions block the cleanup and a non-forced rm (and so init, start, restart)
            'cmd.cleanup': { guard: 'noExecSessions', target: 'cleaning' },
            'cmd.init': { guard: 'noExecSessions', target: 'cleaning', actions: ['wantInit', 'userStart'] },
            'cmd.start': { guard: 'noExecSessions', target: 'cleaning', actions: ['wantStart', 'userStart'] },
            'cmd.restart': { guard: 'noExecSessions', target: 'cleaning', actions: ['wantStart', 'userStart'] },
            'cmd.remove': { guard: 'noExecSessions', target: '#container.removing', actions: 'cancelRestart' },
            'timer.restart': { guard: and(['isScheduledRestart', 'noExecSessions']), target: 'cleaning', actions: ['wantStart', 'policyRestart'] },
            'cmd.stop': { guard: 'restartScheduled', actions: ['userStopWhileWaiting', 'cancelRestart'] },
            'cmd.kill': { guard: 'restartScheduled', actions: ['userStopWhileWaiting', 'cancelRestart'] },
            'cmd.execExited': execEndedWhenStopped,
            // the exit is recorded and runc holds nothing newer: nothing to re-read
            'cmd.sync': { actions: 'nothingToSync' },
          },
        },
        /** runc delete: the runtime container is released (then re-created when asked). */
        cleaning: {
          invoke: {
            id: 'delete',
            src: 'ociDelete',
            input: ({ context }) => ({ force: true, keepStorage: context.mounts > 0 }),
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
    removing,
    /**
     * Berth cannot read the runtime (its node is lost); an observation, rm -f, or a sync leaves.
     * Podman's Sync skips its Unknown (an impossible enum value there); Berth's means "not read
     * lately", and a sync run on the node once it is back is exactly what resolves it.
     */
    unknown: {
      initial: 'idle',
      on: { 'runtime.exited': { guard: 'isCurrentRun', target: 'stopped', actions: ['recordExit', 'planRestart'] } },
      states: { idle: { on: { 'cmd.sync': 'syncing' } }, syncing: syncing('unknown') },
    },
    removed: { type: 'final' },
  },
});

export type ContainerMachine = typeof containerMachine;
