/**
 * The Scheduler the host runs a step's pending effects through: durable timers as delayed BullMQ
 * jobs on the node's queue, one per (container, timer id, version), checked against the record
 * when they fire (a stale one is a no-op); cleanup requests as mailbox entries applied by the
 * waker. Each is idempotent.
 */
import type { Queue } from 'bullmq';
import type { Scheduler, TimerRef, TimerEvent } from '../actors/index.js';
import type { ContainerStore } from '../store/containers.js';
import { legacyDeadlineJobId, timerJobId } from '../store/keys.js';
import { JOB_DEFAULTS } from './jobs.js';
import type { Waker } from './waker.js';

export class QueueScheduler implements Scheduler {
  constructor(
    private readonly queue: Queue,
    private readonly store: ContainerStore,
    private readonly waker: Waker,
  ) {}

  async schedule(container: string, timer: TimerRef, delayMs: number, event: TimerEvent): Promise<void> {
    await this.queue.add('timer', { container, command: 'timer', timer: timer.id, v: timer.v, event }, { ...JOB_DEFAULTS, delay: delayMs, jobId: timerJobId(container, timer.id, timer.v) });
  }

  async cancel(container: string, timer: TimerRef): Promise<void> {
    await this.removeDelayed(timerJobId(container, timer.id, timer.v));
  }

  /** Only a timer that has not fired: a fired one may be the job delivering it right now. */
  private async removeDelayed(jobId: string): Promise<void> {
    const job = await this.queue.getJob(jobId);
    if (job && (await job.isDelayed())) await job.remove().catch(() => undefined);
  }

  async legacyDeadline(container: string, op: 'schedule' | 'cancel', stops: number, delayMs: number): Promise<void> {
    const jobId = legacyDeadlineJobId(container, stops);
    if (op === 'cancel') return this.removeDelayed(jobId);
    await this.queue.add('deadline', { container, command: 'deadline', event: 'timer.stop', stops }, { ...JOB_DEFAULTS, delay: delayMs, jobId });
  }

  async requestCleanup(container: string, key: string): Promise<void> {
    // the key makes a request run again after a crash the same command, not a second one
    const entry = { command: 'cleanup', container, internal: true };
    const seq = await this.store.enqueue(container, JSON.stringify(entry), { commandId: key });
    this.waker.wake(container, seq, entry);
  }
}
