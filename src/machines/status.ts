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

/** The child state ("pausing", "idle", …) or '' for a state without children. */
export function activityOf(value: StateValue): string {
  if (typeof value === 'string') return '';
  const inner = Object.values(value)[0];
  return typeof inner === 'string' ? inner : inner === undefined ? '' : activityOf(inner);
}
