/**
 * The Scheduler the host runs a step's pending effects through: durable timers as delayed BullMQ
 * jobs on the node's queue, one per (container, timer id, version), each only a wake-up: the
 * processor fires what the record keeps for it, when due (timer-job.ts); cleanup requests as
 * mailbox entries applied by the waker. Each is idempotent.
 */
import type { Queue } from 'bullmq';
import type { Scheduler, TimerRef, TimerEvent } from '../actors/index.js';
import type { ContainerStore } from '../store/containers.js';
import { timerJobId } from '../store/keys.js';
import { JOB_DEFAULTS } from './jobs.js';
import type { Waker } from './waker.js';
import type { Prober } from './prober.js';

export class QueueScheduler implements Scheduler {
  constructor(
    private readonly queue: Queue,
    private readonly store: ContainerStore,
    private readonly waker: Waker,
    private readonly prober?: Prober,
  ) {}

  /** Health probes run beside the mailbox (prober.ts); without a prober (no runtime here) none runs. */
  async probe(container: string, ref: { run: number; probe: number }, key: string): Promise<void> {
    this.prober?.start(container, ref, key);
  }

  /** The job only wakes the timer: when it is due and what it delivers are the record's. */
  async schedule(container: string, timer: TimerRef, delayMs: number, _event: TimerEvent): Promise<void> {
    const jobId = timerJobId(container, timer.id, timer.v);
    const add = () => this.queue.add('timer', { container, timer: timer.id, v: timer.v }, { ...JOB_DEFAULTS, delay: delayMs, jobId });
    const job = await add();
    // a job of that id that is over already (one a producer added before the timer existed, so it
    // found nothing pending) must not take this timer's place: it is replaced; one that fired
    // (a re-run of these effects) finds the timer gone and changes nothing
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') {
      await job.remove().catch(() => undefined);
      await add();
    }
  }

  async cancel(container: string, timer: TimerRef): Promise<void> {
    await this.removeDelayed(timerJobId(container, timer.id, timer.v));
  }

  /** Only a timer that has not fired: a fired one may be the job delivering it right now. */
  private async removeDelayed(jobId: string): Promise<void> {
    const job = await this.queue.getJob(jobId);
    if (job && (await job.isDelayed())) await job.remove().catch(() => undefined);
  }

  async requestCleanup(container: string, key: string): Promise<void> {
    // the key makes a request run again after a crash the same command, not a second one
    const entry = { command: 'cleanup', container, internal: true };
    const seq = await this.store.enqueue(container, JSON.stringify(entry), { commandId: key });
    this.waker.wake(container, seq, entry);
  }
}
