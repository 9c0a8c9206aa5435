/**
 * Frees the jobs of this node's dead worker processes, and runs the effects they committed but did
 * not run. Run when a worker starts (a worker restarted
 * after a crash picks up its predecessor's jobs at once) and every stalled interval after (a
 * sibling process of the node picks them up). Only processes on this host can be judged dead
 * (actors/liveness.ts); the jobs of others are re-run by BullMQ's stall detection as before.
 */
import type { Worker } from 'bullmq';
import { liveness, processIdentity } from '../actors/liveness.js';
import type { Logger } from '../log.js';
import type { QueueKeysOf, WorkerLocks } from '../store/worker-locks.js';

export class Reaper {
  private readonly mine: string[] = [];

  constructor(
    private readonly locks: WorkerLocks,
    private readonly node: string,
    private readonly queues: QueueKeysOf[],
    private readonly log: Logger,
    /** Called after dead workers were found: what they committed but did not run is run. */
    private readonly onDead: () => Promise<void>,
  ) {}

  /** Records this process's BullMQ workers, so a successor can tell they died. */
  async register(workers: Worker[]): Promise<void> {
    for (const w of workers) {
      await this.locks.register(this.node, w.id, processIdentity());
      this.mine.push(w.id);
    }
  }

  /** Frees the queues' jobs held by dead workers of this node; returns how many. */
  async reap(): Promise<number> {
    const workers = await this.locks.workers(this.node);
    const dead = Object.entries(workers)
      .filter(([, identity]) => liveness(identity) === 'dead')
      .map(([id]) => id);
    if (dead.length === 0) return 0;
    let freed = 0;
    for (const q of this.queues) freed += await this.locks.releaseDeadLocks(q, dead);
    await this.onDead();
    await this.locks.forget(this.node, dead);
    if (freed) this.log.warn({ workers: dead, jobs: freed }, 'freed the jobs of dead worker processes');
    return freed;
  }

  /** A clean exit: this process's workers hold nothing any more. */
  async unregister(): Promise<void> {
    await this.locks.forget(this.node, this.mine.splice(0));
  }
}
