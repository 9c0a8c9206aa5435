/**
 * The queues view: per node queue (`keys.nodeQueue(node)`, BullMQ prefix `keys.queuePrefix`),
 * job counts and the waiting, active, delayed and failed jobs, read with BullMQ's own getters; a
 * failed job can be retried. Changes are pushed, not polled: one QueueEvents per watched node
 * (its own blocking connection) triggers a debounced re-read.
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { BerthError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Keys } from '../store/keys.js';

export const JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];
/** Jobs listed per state (the counts are exact). */
export const JOBS_LISTED = 50;
const DEBOUNCE_MS = 150;
const WATCHED_EVENTS = ['added', 'waiting', 'active', 'completed', 'failed', 'delayed', 'removed', 'cleaned', 'stalled'] as const;

export interface JobView {
  id: string;
  name: string;
  /** The container's Id (or, for create, its name), when the job names one. */
  container: string | null;
  command: string | null;
  attemptsMade: number;
  timestamp: number;
  processedOn: number | null;
  finishedOn: number | null;
  delay: number;
  /** A failed job's error ("ECTRSTATE: cannot pause container web in state exited: …"). */
  failedReason: string | null;
}

export interface QueueView {
  node: string;
  queue: string;
  counts: Record<JobState | 'completed' | 'prioritized', number>;
  jobs: Record<JobState, JobView[]>;
}

function jobView(job: Job): JobView {
  const data = (job.data ?? {}) as Record<string, unknown>;
  const spec = data['spec'] as { name?: unknown } | undefined;
  const container = typeof data['container'] === 'string' ? data['container'] : typeof spec?.name === 'string' ? spec.name : null;
  return {
    id: String(job.id ?? ''),
    name: job.name,
    container,
    command: typeof data['command'] === 'string' ? data['command'] : null,
    attemptsMade: job.attemptsMade,
    timestamp: job.timestamp,
    processedOn: job.processedOn ?? null,
    finishedOn: job.finishedOn ?? null,
    delay: job.delay,
    failedReason: job.failedReason ? job.failedReason : null,
  };
}

interface Watched {
  queue: Queue;
  events?: QueueEvents;
  conn?: Redis;
  timer?: NodeJS.Timeout;
}

export class QueueWatch {
  private readonly watched = new Map<string, Watched>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly log: Logger,
    private readonly onChange: (view: QueueView) => void,
  ) {}

  private entry(node: string): Watched {
    let w = this.watched.get(node);
    if (!w) {
      const queue = new Queue(this.keys.nodeQueue(node), { connection: this.redis, prefix: this.keys.queuePrefix });
      queue.on('error', (err) => this.log.warn({ err, node }, 'queue view: redis error'));
      w = { queue };
      this.watched.set(node, w);
    }
    return w;
  }

  /** Counts and the first jobs of each state of one node's queue. */
  async view(node: string): Promise<QueueView> {
    const { queue } = this.entry(node);
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
    const lists = await Promise.all(JOB_STATES.map((s) => queue.getJobs([s], 0, JOBS_LISTED - 1, s !== 'failed')));
    const jobs = Object.fromEntries(JOB_STATES.map((s, i) => [s, (lists[i] ?? []).map(jobView)])) as Record<JobState, JobView[]>;
    const n = (k: string) => Number(counts[k] ?? 0);
    return {
      node,
      queue: this.keys.nodeQueue(node),
      counts: {
        waiting: n('waiting'),
        active: n('active'),
        delayed: n('delayed'),
        failed: n('failed'),
        completed: n('completed'),
        prioritized: n('prioritized'),
      },
      jobs,
    };
  }

  /** Only the counts (cheap: for a node's load). */
  async counts(node: string): Promise<{ active: number; waiting: number }> {
    const c = await this.entry(node).queue.getJobCounts('active', 'waiting');
    return { active: Number(c['active'] ?? 0), waiting: Number(c['waiting'] ?? 0) };
  }

  /** Starts pushing changes of `node`'s queue to `onChange` (idempotent). */
  watch(node: string): void {
    const w = this.entry(node);
    if (w.events || this.closing) return;
    w.conn = this.redis.duplicate({ maxRetriesPerRequest: null, connectionName: 'berth-inspector-qe' });
    w.conn.on('error', () => undefined); // reconnects are retried by ioredis
    w.events = new QueueEvents(this.keys.nodeQueue(node), { connection: w.conn, prefix: this.keys.queuePrefix });
    w.events.on('error', (err) => this.log.warn({ err, node }, 'queue events: redis error'));
    const changed = () => {
      if (w.timer) return;
      w.timer = setTimeout(() => {
        w.timer = undefined;
        this.view(node).then(this.onChange, (err: unknown) => this.log.warn({ err, node }, 'queue view failed'));
      }, DEBOUNCE_MS);
    };
    for (const name of WATCHED_EVENTS) w.events.on(name, changed);
  }

  /** Retries a failed job; resolves to the job as it is now. */
  async retry(node: string, jobId: string): Promise<JobView> {
    const { queue } = this.entry(node);
    const job = await queue.getJob(jobId);
    const state = job ? await job.getState() : 'missing';
    if (!job || state !== 'failed') {
      throw new BerthError('EINVAL', `no failed job ${jobId} on the queue of node ${node} (it is ${state})`);
    }
    await job.retry('failed');
    return jobView(job);
  }

  /** Closes every queue and QueueEvents opened here (the shared connection stays open). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const w of this.watched.values()) {
        if (w.timer) clearTimeout(w.timer);
        await w.events?.close().catch(() => undefined);
        w.conn?.disconnect();
        await w.queue.close().catch(() => undefined);
      }
    })();
    return this.closing;
  }
}
