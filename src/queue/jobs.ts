/** Job options shared by every producer. */
import { DelayedError, type Job, type JobsOptions, type Queue } from 'bullmq';
import { isRedisUnavailable, type BerthError } from '../errors.js';
import { seqJobId } from '../store/keys.js';

/**
 * Completed jobs are kept by age and count, never removed at once: `removeOnComplete: true` makes
 * waitUntilFinished fail falsely (shared/notes/queue-and-actor.md §4).
 */
export const JOB_DEFAULTS: JobsOptions = Object.freeze({
  attempts: 3,
  backoff: { type: 'fixed', delay: 500 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 24 * 3600, count: 10_000 },
});

export { seqJobId };

/** A command as its mailbox entry holds it. */
export type WakeEntry = { command: string } & Record<string, unknown>;

/**
 * Adds the job that wakes a worker for mailbox entry `seq` (its data is the entry, for the
 * contract). A job of that id that failed (a stall limit, attempts spent while Redis was away)
 * is retried instead: the entry is still unapplied, and a failed job must never keep it so.
 */
export async function addWakeJob(queue: Queue, id: string, seq: number, entry: WakeEntry): Promise<void> {
  const job = await queue.add(entry.command, { ...entry, container: id, seq }, { ...JOB_DEFAULTS, jobId: seqJobId(id, seq) });
  // another worker may retry it first: then it is no longer failed, which is all that is needed
  if (await job.isFailed()) await job.retry('failed').catch(() => undefined);
}

/** The longest a transiently failed job waits before it runs again. */
const RETRY_MAX_MS = 5000;

/**
 * A transient failure (Redis unavailable, the lease taken by another worker): the job goes back to
 * the queue after a backoff instead of spending an attempt, so it is retried until it succeeds;
 * its mailbox entry stays the durable record. Throws DelayedError (BullMQ's "moved, not failed");
 * when even the move fails (Redis still away), `e` itself, for BullMQ's own retries.
 */
export async function retryLater(job: Job, token: string | undefined, e: BerthError): Promise<never> {
  if (!token) throw e;
  const delay = Math.min(RETRY_MAX_MS, 100 * 2 ** Math.min(job.attemptsStarted, 6));
  try {
    await job.moveToDelayed(Date.now() + delay, token);
  } catch {
    throw e;
  }
  throw new DelayedError(`${e.code}: ${e.message}; retried in ${delay} ms`);
}

/**
 * Failures a job is moved back for rather than failed with: Redis unreachable just now, or the
 * lease taken by another worker. Not another EUNAVAIL (no live node for a placement: BullMQ's
 * attempts apply), nor a failure replayed from a stored result (it has no cause).
 */
export const isTransient = (e: BerthError): boolean => e.code === 'ESTALE' || isRedisUnavailable(e);
