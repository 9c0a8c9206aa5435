/**
 * Exec sessions (libpod's Exec, shared/LIFECYCLE.md §2.8) in the container machine. Only a
 * running container takes `exec`: `running.execing` invokes ociExec (conmon --exec), which
 * resolves once runc has started the process; the session is in the context's `execs` from the
 * command on (so it blocks cleanup at once), with its pid once started, or ended with 127 / 126
 * when it could not be run. Its end comes from its conmon as the Berth-only `execExited`, taken
 * in any state (a session outlives a pause, a stop in progress, the container's own exit). The
 * sessions block cleanup and a non-forced rm (seed rule); once the container has stopped, the end
 * of the last one requests the cleanup its exit could not get. Pure: xstate only.
 */
import { and } from 'xstate';
import { containerSetup } from './container-setup.js';

/** `running.execing`: the ociExec call of the session being started. */
export const execing = containerSetup.createStateConfig({
  invoke: {
    id: 'exec',
    src: 'ociExec',
    input: ({ context }) => ({ ...context.execStarting }),
    onDone: { target: 'idle', actions: 'execStarted' },
    onError: { target: 'idle', actions: 'execFailed' },
  },
});

/** The transition of `running.idle` that starts a session. */
export const startExec = { guard: 'isNewSession', target: 'execing', actions: 'beginExec' } as const;

/** A session's end, wherever the container is. */
export const execEnded = { guard: 'isRunningSession', actions: 'endExec' } as const;

/** In `stopped.idle`: the last session's end requests the cleanup (re-entering runs its entry). */
export const execEndedWhenStopped = [
  { guard: and(['isRunningSession', 'isLastSession']), target: 'idle', reenter: true, actions: 'endExec' },
  execEnded,
] as const;
