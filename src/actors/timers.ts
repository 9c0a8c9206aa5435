/**
 * Durable timers by id. A machine schedules any number of named timers (a delayed `raise` with an
 * id) and cancels them by id; each is kept as a BullMQ delayed job keyed by (container, timer id,
 * version). The record keeps, per timer id, the version of the commit that scheduled it, when it
 * is due and the event it delivers: the delayed job is only a wake-up, so a job nobody but Berth
 * should have added fires nothing that is not due, and delivers only what Berth stored. When a
 * timer fires, it applies only if that is still its version, so a timer cancelled
 * or replaced since is a no-op, whoever delivers it and however late (the `timer` command of
 * machines/commands.ts checks it). Pure: no I/O.
 */
import type { PendingTimer } from '../store/records.js';
import type { Effect, ProbeEffect, TimerEvent } from './step.js';

/** The timers pending, by id: the version of the commit that scheduled each, when it is due, its event. */
export type Timers = Readonly<Record<string, PendingTimer>>;

/** A step's effect other than a runtime call, as committed: timers carry the schedule they mean. */
export type PendingEffect =
  | { kind: 'schedule'; id: string; v: number; delay: number; event: TimerEvent }
  | { kind: 'cancel'; id: string; v: number }
  | { kind: 'requestCleanup' }
  | ProbeEffect;

/**
 * The timers after a step committed as `version` at `at` (epoch ms), and its effects other than calls with each timer
 * resolved: a schedule gets this version; a cancel names the version it removes (the one before
 * this step; none: nothing to cancel, dropped). `fired`: a timer delivered by this step's command,
 * which is no longer pending.
 */
export function resolveTimers(before: Timers, effects: readonly Effect[], version: number, at: number, fired?: string): { timers: Timers; pending: PendingEffect[] } {
  const timers: Record<string, PendingTimer> = { ...before };
  if (fired !== undefined) delete timers[fired];
  const pending: PendingEffect[] = [];
  for (const e of effects) {
    if (e.kind === 'schedule') {
      timers[e.id] = { v: version, due: at + e.delay, event: e.event };
      pending.push({ kind: 'schedule', id: e.id, v: version, delay: e.delay, event: e.event });
    } else if (e.kind === 'cancel') {
      const v = timers[e.id]?.v;
      if (v === undefined) continue;
      delete timers[e.id];
      pending.push({ kind: 'cancel', id: e.id, v });
    } else if (e.kind === 'requestCleanup' || e.kind === 'probe') {
      pending.push(e);
    }
  }
  return { timers, pending };
}

