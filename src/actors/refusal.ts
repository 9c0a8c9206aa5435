/**
 * Why the machine refused a user's command, in libpod's words: the exec sessions a stopped
 * container still has, the seed's Unmount refusals (LIFECYCLE.md §2.9), a mount of a container
 * being removed (Podman 4), or else the state (ErrCtrStateInvalid). Pure.
 */
import { BerthError, execSessionsError, stateError } from '../errors.js';
import type { ContainerSnapshot } from './snapshot.js';

const hasExecSessions = (snap: ContainerSnapshot): boolean => Object.values(snap.context.execs).some((s) => s.running);

/** The seed's Unmount: running or paused, then exec sessions, then the runtime's own mount "still in use". */
function unmountRefusal(snap: ContainerSnapshot, name: string, status: string): BerthError | null {
  const meta = { container: name, command: 'unmount', state: status };
  if (status === 'running' || status === 'paused') return new BerthError('ECTRSTATE', `cannot unmount storage for container ${name} as it is running or paused`, meta);
  if (hasExecSessions(snap)) return new BerthError('ECTRSTATE', `container ${name} has active exec sessions, refusing to unmount`, meta);
  if (['created', 'stopping', 'stopped'].includes(status)) return new BerthError('EINTERNAL', `can't unmount ${name} last mount, it is still in use`, meta);
  return null;
}

export function commandRefusal(snap: ContainerSnapshot, name: string, command: string, status: string): BerthError {
  if (command === 'unmount') {
    const refused = unmountRefusal(snap, name, status);
    if (refused) return refused;
  }
  if (command === 'mount' && status === 'removing') return new BerthError('ECTRSTATE', `cannot mount container ${name} as it is being removed`, { container: name, command, state: status });
  return status === 'stopped' && hasExecSessions(snap) ? execSessionsError(name, command, status) : stateError(name, command, status);
}
