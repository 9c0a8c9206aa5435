/**
 * Applies the commands a worker queues itself (a container's exit, the cleanup after it) in this
 * process, without a round trip through the queue: a BullMQ job per exit and per cleanup cost
 * about seven Redis round trips and a few ms before the worker heard of its own command. The
 * mailbox entry is written first, as for every command, so nothing is lost if this process dies
 * before applying it: the next worker of the node (at start, or a sibling when it finds this one
 * dead) adds the wake-up job for any mailbox entry left without one, and any later command of the
 * container applies it first. When all in-process slots are busy, while closing, or when applying
 * here fails (the lease is held elsewhere, Redis is away), the usual wake-up job is added instead,
 * retried with backoff until Redis takes it.
 */
import type { Queue } from 'bullmq';
import type { CommandResult } from '../actors/host.js';
import type { Logger } from '../log.js';
import { addWakeJob, seqJobId, type WakeEntry } from './jobs.js';

export interface WakerOptions {
  /** Applies the container's mailbox up to seq (ContainerHost.drain). */
  drain: (id: string, seq: number) => Promise<CommandResult>;
  queue: Queue;
  /** In-process drains at once; beyond this, wake-up jobs (the worker's own concurrency). */
  slots: number;
  log: Logger;
}

export type { WakeEntry };

const MAX_BACKOFF_MS = 5000;

export class Waker {
  private readonly running = new Set<Promise<void>>();
  /** Wake-ups not yet done (applied here, or their job added), by job id. */
  private readonly pending = new Map<string, { id: string; seq: number; entry: WakeEntry }>();
  private closed = false;

  constructor(private readonly o: WakerOptions) {}

  /** Applies `seq` (an internal command, `entry` in the mailbox) soon; never throws. */
  wake(id: string, seq: number, entry: WakeEntry): void {
    const { command } = entry;
    this.pending.set(seqJobId(id, seq), { id, seq, entry });
    if (this.closed || this.running.size >= this.o.slots) return this.track(this.addJob(id, seq, entry));
    this.track(
      // after the caller's own turn: a cleanup is requested from inside that container's drain
      Promise.resolve()
        .then(() => this.o.drain(id, seq))
        .then(
          () => void this.pending.delete(seqJobId(id, seq)),
          (err: unknown) => {
            this.o.log.debug({ err, container: id, command }, 'applying an internal command here failed; queueing its job');
            return this.addJob(id, seq, entry);
          },
        ),
    );
  }

  /** Resolves once every drain and job this waker started has settled. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  /** From now on, wake-ups go through the queue (another worker applies them). */
  close(): void {
    this.closed = true;
  }

  /**
   * At shutdown, after idle() (or its time ran out): adds the wake-up job of every internal
   * command not applied here and not queued yet, so that another worker of the node applies it
   * (one still being drained here is finished by that worker, which takes over the lease once
   * this process is gone). Queue and Redis must still be open.
   */
  async handOff(): Promise<void> {
    for (const [jobId, { id, seq, entry }] of this.pending) {
      try {
        await addWakeJob(this.o.queue, id, seq, entry);
        this.pending.delete(jobId);
      } catch (err) {
        this.o.log.warn({ err, container: id, command: entry.command }, 'could not queue the wake-up job of an internal command; the next worker of the node will');
      }
    }
  }

  private track(p: Promise<void>): void {
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  /** The wake-up job Berth's producers use for this seq (adding it twice is a no-op). */
  private async addJob(id: string, seq: number, entry: WakeEntry): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await addWakeJob(this.o.queue, id, seq, entry);
        this.pending.delete(seqJobId(id, seq));
        return;
      } catch {
        // closing: handOff() tries once more before the queue closes
        if (this.closed && attempt > 0) return;
        await new Promise((r) => setTimeout(r, Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt)));
      }
    }
  }
}
