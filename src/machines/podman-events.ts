/**
 * Which Podman event a committed transition is, in one place: `berth events` shows the store's
 * transitions under Podman 4.3's names. A change of status is the event Podman emits for it,
 * whatever the command (a `start` of a configured container is `init` then `start`, as in
 * Podman); a step inside one status is the event of its command's table entry (`podmanEvent`:
 * kill, sync, restart), on the command's first step only (from rest, or a step that changes
 * only the container's context); every other step (the intermediate
 * activities: pausing, signalling, cleaning, …) is no event. Each transition is one event at most.
 * Pure: the command table and state paths only.
 */
import { COMMAND_TABLE, isTableCommand } from './commands.js';
import type { PodmanEventName } from './podman-event-names.js';

/** A transition as the events stream carries it: state paths ("running.idle") and the command. */
export interface TransitionShape {
  /** The command, as committed ("cleanup (internal)" for one Berth queued itself). */
  command: string;
  from: string;
  to: string;
  /** The health status the step moved to, when it changed (health checks). */
  health?: string;
}

/** A change of status -> its Podman event (null: none). `from` is '' for a new container. */
function statusChangeEvent(command: string, from: string, to: string): PodmanEventName | null {
  switch (to) {
    case 'configured':
      return from === '' ? 'create' : null;
    case 'created':
      return 'init';
    case 'running':
      return command === 'restore' ? 'restore' : from === 'paused' ? 'unpause' : 'start';
    case 'paused':
      return 'pause';
    // Podman's restart of a running container stops it without a stop event
    case 'stopping':
      return command === 'restart' ? 'restart' : 'stop';
    // a checkpoint ends the process: Podman's one event for it is checkpoint
    case 'stopped':
      return command === 'checkpoint' ? 'checkpoint' : 'died';
    case 'exited':
      return from === 'stopped' ? 'cleanup' : null;
    case 'removed':
      return 'remove';
    default:
      // removing (remove is emitted once it is done), unknown
      return null;
  }
}

const statusOfPath = (path: string): string => path.split('.')[0] ?? '';
/** The idle child of a state, or a state without children: where a command's first step starts. */
const atRest = (path: string): boolean => !path.includes('.') || path.endsWith('.idle');

export function podmanEventOf(t: TransitionShape): PodmanEventName | null {
  const command = t.command.split(' ')[0] ?? '';
  const from = statusOfPath(t.from);
  const to = statusOfPath(t.to);
  if (from !== to) return statusChangeEvent(command, from, to);
  // checkpoint --leave-running: once the dump is written, the container running on
  if (command === 'checkpoint' && t.from === 'running.checkpointing') return 'checkpoint';
  // a change of health, in a step that keeps the status (a change of status is that status's event)
  if (t.health !== undefined) return 'health_status';
  // a command's own step starts at rest, or changes only the context (an exec's end, say, which
  // may come while another command is under way)
  if ((!atRest(t.from) && t.from !== t.to) || !isTableCommand(command)) return null;
  const def: { podmanEvent?: PodmanEventName } = COMMAND_TABLE[command];
  return def.podmanEvent ?? null;
}
