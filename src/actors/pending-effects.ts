/**
 * A step's effects other than runtime calls (durable timers, cleanup requests): committed into
 * the container's record with the step, then run by the Scheduler the queue layer provides. They
 * are idempotent, so whoever finds them left in the record (the worker that committed them died
 * first) runs them again: the same timer is one job, the same cleanup request one command.
 */
import { BerthError } from '../errors.js';
import type { ContainerRecord } from '../store/records.js';
import type { Effect } from './step.js';

/** Durable timers and follow-up commands, provided by the queue layer; each idempotent. */
export interface Scheduler {
  schedule(container: string, timerId: string, delayMs: number, eventType: string, stops: number): Promise<void>;
  cancel(container: string, timerId: string, stops: number): Promise<void>;
  requestCleanup(container: string, key: string): Promise<void>;
}

/** A step's effects other than runtime calls, as the record keeps them until the next step. */
export interface PendingEffects {
  /** The version the step committed. */
  v: number;
  stops: number;
  effects: Exclude<Effect, { kind: 'call' }>[];
}

/** The pending part of a step's effects (null when there is none), for the commit to keep. */
export function pendingOf(effects: readonly Effect[], version: number, stops: number): PendingEffects | null {
  const others = effects.filter((e): e is PendingEffects['effects'][number] => e.kind !== 'call');
  return others.length ? { v: version, stops, effects: others } : null;
}

/** The effects a record keeps (null for none); a record whose effects do not parse is corrupt. */
export function recordedEffects(record: ContainerRecord): PendingEffects | null {
  if (!record.effects) return null;
  try {
    return JSON.parse(record.effects) as PendingEffects;
  } catch {
    throw new BerthError('EINTERNAL', `record of container ${record.id} is corrupt: effects are not JSON`, { container: record.id });
  }
}

/** Runs pending effects, in order, through the scheduler. */
export async function runPending(scheduler: Scheduler, id: string, p: PendingEffects): Promise<void> {
  for (const e of p.effects) {
    if (e.kind === 'schedule') await scheduler.schedule(id, e.id, e.delay, e.event.type, p.stops);
    else if (e.kind === 'cancel') await scheduler.cancel(id, e.id, e.stops ?? p.stops);
    else await scheduler.requestCleanup(id, `cleanup-${id}-v${p.v}`);
  }
}
