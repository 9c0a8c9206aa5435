/**
 * The closed list of Podman 4.3's container event names (libpod/events: the `Status` of an event
 * of type container), as `podman events --filter event=E` takes them. Berth emits the ones that
 * have a meaning for it (podman-events.ts); the others are accepted by the filter and match
 * nothing, as in Podman.
 */
export const PODMAN_EVENT_NAMES = [
  'attach',
  'checkpoint',
  'cleanup',
  'commit',
  'create',
  'died',
  'exec',
  'exec_died',
  'export',
  'health_status',
  'import',
  'init',
  'kill',
  'mount',
  'pause',
  'prune',
  'remove',
  'rename',
  'restart',
  'restore',
  'start',
  'stop',
  'sync',
  'unmount',
  'unpause',
] as const;

export type PodmanEventName = (typeof PODMAN_EVENT_NAMES)[number];

export function isPodmanEventName(value: string): value is PodmanEventName {
  return (PODMAN_EVENT_NAMES as readonly string[]).includes(value);
}
