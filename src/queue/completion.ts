/**
 * When a command a client waits for is done, as the events stream shows it: the completion rules
 * of stop, restart and a stopping rm -f (which end after the job that queued them) and of wait. Pure.
 */
import type { TransitionEvent } from '../store/events.js';

/** The states a container's process has ended in. */
export const STOPPED_STATES: ReadonlySet<string> = new Set(['stopped', 'exited', 'removed']);

/** A stop is done once the container is cleaned up (exited), removed, or its cleanup failed. */
export function stopDone(e: TransitionEvent, id: string): boolean {
  return e.id === id && (e.state.State.Status === 'exited' || e.state.State.Status === 'removed' || cleanupFailed(e));
}

/**
 * A restart is done once the container rests after the restart's own answer (`after`): running,
 * or with State.Error set outside stopping (the start after the exit failed).
 */
export function restartDone(e: TransitionEvent, id: string, after: number): boolean {
  return (
    e.id === id &&
    e.version > after &&
    e.state.State.Activity === '' &&
    (e.state.State.Status === 'running' || (e.state.State.Error !== '' && e.state.State.Status !== 'stopping'))
  );
}

/** A forced remove that stops first (rm -f of a running container) is done once removed, or its deletion failed. */
export function removeDone(e: TransitionEvent, id: string): boolean {
  return e.id === id && (e.state.State.Status === 'removed' || (e.state.State.Status === 'removing' && e.state.State.Activity === 'failed'));
}

function cleanupFailed(e: TransitionEvent): boolean {
  return e.state.State.Status === 'stopped' && e.command.startsWith('cleanup') && e.to === 'stopped';
}
