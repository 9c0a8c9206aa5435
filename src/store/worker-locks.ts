/**
 * The BullMQ workers of each node and the processes that run them, so a worker can free the jobs
 * of a dead sibling (or of its own killed predecessor) at once: BullMQ alone re-runs them only
 * after their lock expires and two stalled checks pass.
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';
import { releaseDeadLocksCall, type QueueKeysOf } from './script-args.js';
import { runScript } from './scripts.js';

export type { QueueKeysOf };

export class WorkerLocks {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async register(node: string, workerId: string, identity: string): Promise<void> {
    await this.redis.hset(this.keys.nodeWorkers(node), workerId, identity);
  }

  async forget(node: string, workerIds: string[]): Promise<void> {
    if (workerIds.length) await this.redis.hdel(this.keys.nodeWorkers(node), ...workerIds);
  }

  /** worker id -> process identity */
  async workers(node: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.keys.nodeWorkers(node));
  }

  /** Frees the queue's active jobs whose lock a dead worker holds; returns how many. */
  async releaseDeadLocks(queue: QueueKeysOf, deadWorkerIds: string[]): Promise<number> {
    if (deadWorkerIds.length === 0) return 0;
    const call = releaseDeadLocksCall(queue, deadWorkerIds);
    return Number(await runScript(this.redis, call.name, call.keys, call.args));
  }
}
