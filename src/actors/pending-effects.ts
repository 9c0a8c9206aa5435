/**
 * A step's effects other than runtime calls (durable timers, cleanup requests): committed into
 * the container's record with the step, then run by the Scheduler the queue layer provides. They
 * are idempotent, so whoever finds them left in the record (the worker that committed them died
 * first) runs them again: the same timer is one job, the same cleanup request one command.
 */
import { commandIds } from '../store/keys.js';
import { BerthError } from '../errors.js';
import type { ContainerRecord } from '../store/records.js';
import type { PendingEffect } from './timers.js';
import type { TimerEvent } from './step.js';

/** A durable timer as the scheduler keeps it: (container, id, v) names one schedule. */
export interface TimerRef {
  id: string;
  v: number;
}

/** Durable timers and follow-up commands, provided by the queue layer; each idempotent. */
export interface Scheduler {
  schedule(container: string, timer: TimerRef, delayMs: number, event: TimerEvent): Promise<void>;
  cancel(container: string, timer: TimerRef): Promise<void>;
  requestCleanup(container: string, key: string): Promise<void>;
  /** Runs health probe `probe` of run `run` beside the mailbox; its result is queued as `health` (key: once). */
  probe(container: string, probe: { run: number; probe: number }, key: string): Promise<void>;
}

/** A step's effects other than runtime calls, as the record keeps them until the next step. */
export interface PendingEffects {
  /** The version the step committed. */
  v: number;
  effects: PendingEffect[];
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
    if (e.kind === 'requestCleanup') await scheduler.requestCleanup(id, commandIds.cleanup(id, p.v));
    else if (e.kind === 'probe') await scheduler.probe(id, e, commandIds.health(id, e.run, e.probe));
    // a timer kept by a worker of a version before timers had ids is not honoured (no version)
    else if (typeof e.v !== 'number') continue;
    else if (e.kind === 'schedule') await scheduler.schedule(id, e, e.delay, e.event);
    else await scheduler.cancel(id, e);
  }
}
