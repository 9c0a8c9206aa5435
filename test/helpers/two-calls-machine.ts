/**
 * A machine built from the container machine's setup (its context, events and named runtime
 * calls) whose pause makes two runtime calls at once, in parallel regions: `runc pause` and a
 * signal (SIGCONT) to the main process; it is paused once both have answered. It stands for the
 * states issue 10 and 13 bring (an exec session beside the main process, a probe while running),
 * so the host's handling of several calls in flight is tested before they exist.
 */
import { initialTransition } from 'xstate';
import { containerSetup, initialContext } from '../../src/machines/container-setup.js';
import type { ContainerMachine } from '../../src/machines/index.js';
import type { ContainerSnapshot } from '../../src/actors/snapshot.js';

const region = (src: 'ociPause' | 'ociKill', id: string, input: Record<string, unknown>) => ({
  initial: 'calling',
  states: {
    calling: { invoke: { id, src, input, onDone: 'done', onError: { target: 'done', actions: 'recordError' as const } } },
    done: { type: 'final' as const },
  },
});

const machine = containerSetup.createMachine({
  id: 'container',
  initial: 'running',
  // running in run 1, pid 4242, without the steps that lead there
  context: ({ input }) => ({ ...initialContext(input), run: 1, pid: 4242 }),
  states: {
    running: {
      initial: 'idle',
      states: {
        idle: { on: { 'cmd.pause': 'pausing' } },
        pausing: {
          type: 'parallel',
          states: { freeze: region('ociPause', 'pause', {}), signal: region('ociKill', 'cont', { signal: 'SIGCONT' }) },
          onDone: '#container.paused',
        },
      },
    },
    paused: { initial: 'idle', states: { idle: { on: { 'cmd.unpause': '#container.running' } } } },
  },
});

export const twoCallsMachine = machine as unknown as ContainerMachine;

export function twoCallsInitial(): ContainerSnapshot {
  return initialTransition(twoCallsMachine, { stopSignal: 'SIGTERM', stopTimeout: 10 })[0];
}
