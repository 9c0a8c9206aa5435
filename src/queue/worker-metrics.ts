/**
 * A node worker's metrics (telemetry/metrics.ts) and where its gauges are read from at scrape
 * time: the node's containers by state (their records, one round trip) and the node queue's jobs
 * by BullMQ state.
 */
import type { Queue } from 'bullmq';
import { STATUSES } from '../machines/index.js';
import type { ContainerStore } from '../store/containers.js';
import type { BerthMetrics } from '../telemetry/index.js';

/** The BullMQ states berth_queue_jobs reports. */
export const QUEUE_JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

/** Loads prom-client (only a worker that serves metrics does) and makes the worker's metrics. */
export async function workerMetrics(node: string, store: ContainerStore, queue: Queue): Promise<BerthMetrics> {
  const { BerthMetrics } = await import('../telemetry/metrics.js');
  return new BerthMetrics({
    node,
    async containers() {
      const counts: Record<string, number> = Object.fromEntries(STATUSES.map((s) => [s, 0]));
      for (const r of await store.records(await store.nodeContainerIds(node))) counts[r.status] = (counts[r.status] ?? 0) + 1;
      return counts;
    },
    async queueJobs() {
      return (await queue.getJobCounts(...QUEUE_JOB_STATES)) as Record<string, number>;
    },
  });
}
