/**
 * Durable timers by id. A machine schedules any number of named timers (a delayed `raise` with an
 * id) and cancels them by id; each is kept as a BullMQ delayed job keyed by (container, timer id,
 * version). The record keeps, per timer id, the version of the commit that scheduled it: when a
 * timer fires, it applies only if that is still its version, so a timer cancelled
 * or replaced since is a no-op, whoever delivers it and however late (the `timer` command of
 * machines/commands.ts checks it). Pure: no I/O.
 */
import type { Effect, TimerEvent } from './step.js';

/** Timer id -> the version of the commit that scheduled it. */
export type Timers = Readonly<Record<string, number>>;

/** A step's effect other than a runtime call, as committed: timers carry the schedule they mean. */
export type PendingEffect =
  | { kind: 'schedule'; id: string; v: number; delay: number; event: TimerEvent }
  | { kind: 'cancel'; id: string; v: number }
  | { kind: 'requestCleanup' };

/**
 * The timers after a step committed as `version`, and its effects other than calls with each timer
 * resolved: a schedule gets this version; a cancel names the version it removes (the one before
 * this step; none: nothing to cancel, dropped). `fired`: a timer delivered by this step's command,
 * which is no longer pending.
 */
export function resolveTimers(before: Timers, effects: readonly Effect[], version: number, fired?: string): { timers: Timers; pending: PendingEffect[] } {
  const timers: Record<string, number> = { ...before };
  if (fired !== undefined) delete timers[fired];
  const pending: PendingEffect[] = [];
  for (const e of effects) {
    if (e.kind === 'schedule') {
      timers[e.id] = version;
      pending.push({ kind: 'schedule', id: e.id, v: version, delay: e.delay, event: e.event });
    } else if (e.kind === 'cancel') {
      const v = timers[e.id];
      if (v === undefined) continue;
      delete timers[e.id];
      pending.push({ kind: 'cancel', id: e.id, v });
    } else if (e.kind === 'requestCleanup') {
      pending.push(e);
    }
  }
  return { timers, pending };
}

