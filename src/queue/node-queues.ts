/**
 * The client's way to the nodes: per node, the BullMQ queue its commands are added to and the
 * QueueEvents its answers come back on, opened on first use. A job's failure comes back as a
 * BerthError: its own code, or, for a job that failed for want of Redis (or a BullMQ stall),
 * EUNAVAIL "not confirmed ...; it may still be applied" (its command is still in the mailbox).
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { BerthError } from '../errors.js';
import type { Inspect } from '../actors/inspect.js';
import type { Keys } from '../store/keys.js';
import { isUp } from '../store/redis.js';
import { decodeFailure, isBerthFailure } from './contract.js';
import { jobOutcome, type JobOutcome } from './job-outcome.js';
import { JOB_DEFAULTS } from './jobs.js';

export class NodeQueues {
  private readonly queues = new Map<string, { queue: Queue; events: QueueEvents; ready: boolean }>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    /** A blocking connection for a node's QueueEvents. */
    private readonly blocking: (name: string) => Redis,
  ) {}

  private node(node: string): { queue: Queue; events: QueueEvents; ready: boolean } {
    let q = this.queues.get(node);
    if (!q) {
      const name = this.keys.nodeQueue(node);
      q = {
        queue: new Queue(name, { connection: this.redis, prefix: this.keys.queuePrefix }),
        events: new QueueEvents(name, { connection: this.blocking('berth-client-qe'), prefix: this.keys.queuePrefix }),
        ready: false,
      };
      const entry = q;
      q.events.waitUntilReady().then(
        () => void (entry.ready = true),
        () => undefined,
      );
      q.queue.setMaxListeners(0);
      q.events.setMaxListeners(0);
      // connection errors while Redis restarts: the connection retries, and the commands they
      // affect fail on their own; without listeners BullMQ would print each one
      q.queue.on('error', () => undefined);
      q.events.on('error', () => undefined);
      this.queues.set(node, q);
    }
    return q;
  }

  /** Adds a job to the node's queue once its events are being listened to. */
  async add(node: string, name: string, data: Record<string, unknown>, jobId: string | undefined): Promise<Job> {
    const { queue, events } = this.node(node);
    await events.waitUntilReady();
    return queue.add(name, data, { ...JOB_DEFAULTS, ...(jobId ? { jobId } : {}) });
  }

  /** The job's return value once it completes; its failure as a BerthError. */
  async finished(node: string, job: Job): Promise<Inspect> {
    const outcome = await this.outcome(node, job);
    if (outcome.ok) return outcome.value as Inspect;
    const e = decodeFailure(outcome.reason);
    // a job that failed for want of Redis (or a stall) left its command in the mailbox, to be applied
    if (e.code !== 'EUNAVAIL' && isBerthFailure(outcome.reason)) throw e;
    const target = typeof job.data['container'] === 'string' ? job.data['container'] : '';
    throw new BerthError('EUNAVAIL', `${job.name} of container ${target} not confirmed (${e.message}); it may still be applied`, { container: target, command: job.name });
  }

  /** How the job ended (job-outcome.ts). */
  private outcome(node: string, job: Job): Promise<JobOutcome> {
    const { queue, events } = this.node(node);
    return jobOutcome(queue, events, job.id ?? '');
  }

  async close(): Promise<void> {
    for (const { queue, events, ready } of this.queues.values()) {
      // BullMQ's close would wait for good on a connection between reconnection attempts, or on
      // one that never connected (its client is only handed out once ready): drop those instead
      const conn = ready ? await events.backend.client : undefined;
      if (conn && isUp(conn)) await events.close().catch(() => undefined);
      else if (conn) conn.disconnect();
      else void events.close().catch(() => undefined);
      await queue.close().catch(() => undefined);
    }
  }
}
