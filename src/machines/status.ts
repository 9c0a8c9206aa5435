import type { StateValue } from 'xstate';

/** Public State.Status values: the machine's top-level states. */
export const STATUSES = [
  'configured',
  'created',
  'running',
  'paused',
  'stopping',
  'stopped',
  'exited',
  'removing',
  'unknown',
  'removed',
] as const;
export type Status = (typeof STATUSES)[number];

/** The top-level state of a state value. */
export function statusOf(value: StateValue): Status {
  const key = typeof value === 'string' ? value : Object.keys(value)[0];
  if (!(STATUSES as readonly string[]).includes(key ?? '')) throw new Error(`unknown state ${JSON.stringify(value)}`);
  return key as Status;
}

/**
 * The child state ("pausing", "idle", …) or '' for a state without children. Where the state has
 * parallel regions, the regions' activities that are not idle, joined by '+' ("pausing+probing"),
 * or 'idle' when all are.
 */
export function activityOf(value: StateValue): string {
  if (typeof value === 'string') return '';
  const inner = Object.values(value)[0];
  return typeof inner === 'string' ? inner : inner === undefined ? '' : leafActivity(inner);
}

function leafActivity(value: StateValue): string {
  if (typeof value === 'string') return value;
  const regions = Object.values(value);
  if (regions.length === 1) return leafActivity(regions[0]!);
  const busy = regions.map((r) => leafActivity(r ?? 'idle')).filter((a) => a !== 'idle');
  return busy.length ? busy.join('+') : 'idle';
}
