/**
 * `removing` (libpod's removeContainer): persisted before the destructive steps, so a crash leaves
 * it retryable. A forced remove of a running container stops it first, as Podman 4's `rm -f`
 * does: its stop signal (signalling), then a grace period with the durable stop deadline
 * (waiting), then deleting (runc delete --force, which SIGKILLs what is left) at its exit or at
 * the deadline, whichever comes first. Every other remove starts at deleting. Pure: xstate only.
 */
import { raise } from 'xstate';
import { containerSetup, STOP_DEADLINE } from './container-setup.js';

export const removing = containerSetup.createStateConfig({
  initial: 'deleting',
  states: {
    /**
     * rm -f of a running container: its stop signal, then deleting (runc delete --force:
     * SIGKILL) at its exit or at the durable deadline, whichever comes first.
     */
    signalling: {
      invoke: {
        id: 'kill',
        src: 'ociKill',
        input: ({ context }) => ({ signal: context.stopSignal }),
        onDone: 'waiting',
        onError: { target: 'waiting', actions: 'recordError' },
      },
      on: { 'runtime.exited': { guard: 'isCurrentRun', target: 'deleting', actions: 'recordExit' } },
    },
    /** rm -f's grace period: the deadline set (cancelled on leaving). */
    waiting: {
      entry: raise(({ context }) => ({ type: 'timer.stop' as const, stops: context.stops }), { id: STOP_DEADLINE, delay: 'stopTimeout' }),
      exit: 'cancelDeadline',
      on: {
        'runtime.exited': { guard: 'isCurrentRun', target: 'deleting', actions: 'recordExit' },
        'timer.stop': { guard: 'isCurrentStop', target: 'deleting' },
      },
    },
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
});
