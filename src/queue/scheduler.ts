/**
 * The Scheduler the host runs a step's pending effects through: durable timers as delayed BullMQ
 * jobs on the node's queue, keyed by (container, stop), guarded by the machine when they fire;
 * cleanup requests as mailbox entries applied by the waker. Each is idempotent.
 */
import type { Queue } from 'bullmq';
import type { Scheduler } from '../actors/pending-effects.js';
import type { ContainerStore } from '../store/containers.js';
import { JOB_DEFAULTS } from './jobs.js';
import type { Waker } from './waker.js';

/** Durable timers as delayed BullMQ jobs on the node's queue; cleanups applied by the waker. */
export class QueueScheduler implements Scheduler {
  constructor(
    private readonly queue: Queue,
    private readonly store: ContainerStore,
    private readonly waker: Waker,
  ) {}

  async schedule(container: string, _timerId: string, delayMs: number, eventType: string, stops: number): Promise<void> {
    await this.queue.add(
      'deadline',
      { container, command: 'deadline', event: eventType, stops },
      { ...JOB_DEFAULTS, delay: delayMs, jobId: `${container}-deadline-${stops}` },
    );
  }

  async cancel(container: string, _timerId: string, stops: number): Promise<void> {
    // only a timer that has not fired: a fired one may be the job delivering this very deadline,
    // whose mailbox entry needs it (the machine's guard ignores a deadline that no longer applies)
    const job = await this.queue.getJob(`${container}-deadline-${stops}`);
    if (job && (await job.isDelayed())) await job.remove().catch(() => undefined);
  }

  async requestCleanup(container: string, key: string): Promise<void> {
    // the key makes a request run again after a crash the same command, not a second one
    const entry = { command: 'cleanup', container, internal: true };
    const seq = await this.store.enqueue(container, JSON.stringify(entry), { commandId: key });
    this.waker.wake(container, seq, entry);
  }
}
