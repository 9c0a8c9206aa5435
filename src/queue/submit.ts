/**
 * Queuing one command, Berth's own way (the client's): its place in the container's mailbox first
 * (seq), then its job, whose id is derived from the seq. With tracing on, the active span's W3C
 * `traceparent` goes into the entry (so into the job's data too): the worker's spans join the
 * producer's trace.
 */
import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { BerthError } from '../errors.js';
import type { ContainerStore } from '../store/containers.js';
import { currentTraceparent } from '../telemetry/index.js';
import { seqJobId } from './jobs.js';
import type { NodeQueues } from './node-queues.js';

export interface SubmitDeps {
  store: ContainerStore;
  queues: NodeQueues;
  /** How long an unreachable Redis is retried before the command is reported not confirmed. */
  timeoutMs: number;
}

/**
 * Both steps are retried with backoff while Redis is unreachable, idempotently (a command id makes
 * a repeated enqueue return the same seq; the job id is derived from the seq), so a command is
 * either confirmed or reported as not confirmed: it is never applied behind a reported failure
 * unknowingly.
 */
export async function submitCommand(
  d: SubmitDeps,
  node: string,
  id: string,
  command: Record<string, unknown> & { command: string },
  createName?: string,
): Promise<{ job: Job; jobId: string }> {
  const traceparent = currentTraceparent();
  const entry = traceparent === undefined ? command : { ...command, traceparent };
  const commandId = randomUUID();
  const deadline = Date.now() + d.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const seq = await d.store.enqueue(id, JSON.stringify(entry), { commandId, ...(createName === undefined ? {} : { create: { name: createName } }) });
      const jobId = seqJobId(id, seq);
      return { job: await d.queues.add(node, entry.command, { ...entry, seq }, jobId), jobId };
    } catch (err) {
      if (err instanceof BerthError && err.code !== 'EUNAVAIL') throw err; // refused, not unreachable
      if (Date.now() >= deadline) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new BerthError('EUNAVAIL', `${entry.command} of container ${createName ?? id} not confirmed within ${d.timeoutMs} ms (${reason}); it may still be applied`, {
          container: createName ?? id,
          command: entry.command,
          cause: err,
        });
      }
      await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
    }
  }
}
