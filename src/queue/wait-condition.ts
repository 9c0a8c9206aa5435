/**
 * `wait --condition` (Podman 4's `WaitForConditionWithInterval`): the condition names a client may
 * give, how each matches a container's State.Status, and what a satisfied wait answers. Pure.
 *
 * Names are Podman's state words, read as the README's state table maps them onto Berth's states:
 * `created` is also met by `configured` (Podman shows a configured container as created, and its
 * wait for created returns at once on one), `stopped` and `exited` are both met once the process has
 * ended (stopped, exited or removed: the default condition, answering the exit code, as Podman),
 * every other name by that state only, answering -1 (Podman answers -1 for conditions other than
 * stopped and exited). Unknown names are refused as Podman refuses them: EINVAL ("unknown container
 * state: X"), exit 125.
 */
import { BerthError } from '../errors.js';
import { STOPPED_STATES } from './completion.js';

/** The condition names accepted: Podman 4's (`configured` too, Berth's own first state). */
export const WAIT_CONDITIONS = ['configured', 'created', 'running', 'paused', 'stopping', 'stopped', 'exited', 'removing', 'unknown'] as const;
export type WaitCondition = (typeof WAIT_CONDITIONS)[number];

/** The default: the container has stopped (Podman waits for stopped or exited). */
export const DEFAULT_CONDITIONS: readonly WaitCondition[] = ['stopped', 'exited'];

/** Checks condition names at the boundary; an empty list is the default. */
export function parseConditions(conditions: readonly unknown[] | undefined): WaitCondition[] {
  if (conditions === undefined || conditions.length === 0) return [...DEFAULT_CONDITIONS];
  if (conditions.length > WAIT_CONDITIONS.length * 4) throw new BerthError('EINVAL', 'too many wait conditions');
  return conditions.map((c) => {
    if (typeof c !== 'string' || !(WAIT_CONDITIONS as readonly string[]).includes(c)) {
      const shown = typeof c === 'string' ? JSON.stringify(c.slice(0, 64)) : typeof c;
      throw new BerthError('EINVAL', `unknown container state: ${shown} (conditions: ${WAIT_CONDITIONS.join(', ')})`);
    }
    return c as WaitCondition;
  });
}

function met(condition: WaitCondition, status: string): boolean {
  if (condition === 'stopped' || condition === 'exited') return STOPPED_STATES.has(status);
  if (condition === 'created') return status === 'created' || status === 'configured';
  return status === condition;
}

/** Whether a container in `status` meets any of `conditions`. */
export function conditionMet(conditions: readonly WaitCondition[], status: string): boolean {
  return conditions.some((c) => met(c, status));
}

/** What the wait answers once met: the exit code when it is met by the process's end, else -1 (Podman). */
export function waitAnswer(conditions: readonly WaitCondition[], status: string, exitCode: number): number {
  return conditions.some((c) => (c === 'stopped' || c === 'exited') && met(c, status)) ? exitCode : -1;
}

/**
 * `--interval`: accepted for Podman compatibility (a Go duration such as `250ms`, `5s`, `1m`, or a
 * whole number of milliseconds) and checked, but unused: Berth's wait follows the events stream.
 */
export function parseInterval(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new BerthError('EINVAL', `invalid interval ${JSON.stringify(value.slice(0, 64))}: a duration such as 250ms or 5s`);
  const unit = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms'] ?? 1;
  return Number(m[1]) * unit;
}

/** `client.wait(name, { condition })`: one condition name or several (any of them ends the wait). */
export interface WaitOptions {
  condition?: WaitCondition | readonly WaitCondition[];
}

/** The option as a list (a lone string, an array, or nothing), unchecked. */
export function waitConditionList(condition: unknown): readonly unknown[] | undefined {
  if (condition === undefined) return undefined;
  return Array.isArray(condition) ? (condition as unknown[]) : [condition];
}
