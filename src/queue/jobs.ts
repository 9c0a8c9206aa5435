/** Job options shared by every producer, and the read-only jobs beside the command contract. */
import { z } from 'zod';
import type { JobsOptions, Queue } from 'bullmq';

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

/**
 * The id of the job for a container's mailbox entry `seq`, used by every producer of Berth's: adding
 * the job for a seq twice is a no-op, and a worker finds the entry's job by it.
 */
export function seqJobId(id: string, seq: number): string {
  return `${id}-${seq}`;
}

/** A command as its mailbox entry holds it. */
export type WakeEntry = { command: string } & Record<string, unknown>;

/** Adds the job that wakes a worker for mailbox entry `seq` (its data is the entry, for the contract). */
export async function addWakeJob(queue: Queue, id: string, seq: number, entry: WakeEntry): Promise<void> {
  await queue.add(entry.command, { ...entry, container: id, seq }, { ...JOB_DEFAULTS, jobId: seqJobId(id, seq) });
}

/** Read-only: a container's captured stdout/stderr, read on its node. */
export const logsJobSchema = z.object({ container: z.string().min(1) });
