/** Job options shared by every producer, and the read-only jobs beside the command contract. */
import { z } from 'zod';
import type { JobsOptions } from 'bullmq';

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

/** Read-only: a container's captured stdout/stderr, read on its node. */
export const logsJobSchema = z.object({ container: z.string().min(1) });
