/**
 * One event of `client.events` / `berth events`: a committed transition under its Podman name,
 * with Podman's fields (ID, Name, Status, Time, timeNano, Type, ContainerExitCode for died) and
 * Berth's (State: the new status, Seq: the container's sequence number, Node, Cursor: the stream
 * id to resume after, Inspect: the container's inspect object after the transition). Time is
 * when Redis committed it (the stream id's time), the clock `since` and `until` compare with.
 */
import { podmanEventOf, type PodmanEventName } from '../machines/index.js';
import type { StreamEntry, TransitionEvent } from '../store/events.js';
import type { ParsedEventsOptions } from './event-options.js';

export interface BerthEvent {
  ID: string;
  Name: string;
  /** The Podman event name: create, init, start, pause, unpause, stop, died, cleanup, ... */
  Status: PodmanEventName;
  /** RFC 3339 with milliseconds, UTC. */
  Time: string;
  /** Nanoseconds since the epoch (millisecond precision); may be rounded beyond 2^53 as a number. */
  timeNano: number;
  Type: 'container';
  /** The container's status after the transition (configured, created, running, ...). */
  State: string;
  /** Its per-container sequence number (the snapshot version after the transition). */
  Seq: number;
  Node: string;
  /** The stream id of this event: `since: event.Cursor` resumes just after it. */
  Cursor: string;
  /** The exit code, on died (as Podman's JSON). */
  ContainerExitCode?: number;
  /** The new health status, on health_status (as Podman's JSON). */
  health_status?: string;
  /** The container's inspect object after the transition. */
  Inspect: TransitionEvent['state'];
}

/** The stream id's time (ms). */
export function cursorMs(cursor: string): number {
  return Number(cursor.split('-')[0]);
}

/** The entry as a Berth event, or null when it is no Podman event. */
export function toBerthEvent({ streamId, event: e }: StreamEntry): BerthEvent | null {
  const status = podmanEventOf(e);
  if (status === null) return null;
  const ms = cursorMs(streamId);
  return {
    ID: e.id,
    Name: e.name,
    Status: status,
    Time: new Date(ms).toISOString(),
    timeNano: ms * 1e6,
    Type: 'container',
    State: e.state.State.Status,
    Seq: e.version,
    Node: e.node,
    Cursor: streamId,
    ...(status === 'died' ? { ContainerExitCode: e.state.State.ExitCode } : {}),
    ...(status === 'health_status' && e.health !== undefined ? { health_status: e.health } : {}),
    Inspect: e.state,
  };
}

/** Podman's filter rules: container by name or Id prefix, event, node, type; OR within a key, AND across. */
export function matchesFilter(e: BerthEvent, o: Pick<ParsedEventsOptions, 'containers' | 'events' | 'nodes' | 'containerType'>): boolean {
  if (!o.containerType) return false;
  if (o.containers.length && !o.containers.some((c) => c === e.Name || e.ID.startsWith(c))) return false;
  if (o.events && !o.events.has(e.Status)) return false;
  if (o.nodes && !o.nodes.has(e.Node)) return false;
  return true;
}
