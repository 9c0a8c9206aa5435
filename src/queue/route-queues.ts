/**
 * The queues of other nodes a worker's router adds to, and the entry queue: only live nodes are
 * routed to, and at most ROUTE_QUEUES of them stay open, the least recently used closed first, so
 * a producer naming ever new nodes cannot grow them.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { Keys } from '../store/keys.js';
import { ENTRY_QUEUE } from './router.js';

/** Queues of other nodes the router keeps open at most. */
const ROUTE_QUEUES = 64;

export class RouteQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly log: Logger,
  ) {}

  /** The entry queue, opened once and closed with the others. */
  entry(): Queue {
    let q = this.queues.get(ENTRY_QUEUE);
    if (!q) {
      q = new Queue(ENTRY_QUEUE, { connection: this.redis, prefix: this.keys.queuePrefix });
      q.on('error', (err) => this.log.debug({ err }, 'entry queue connection error'));
      this.queues.set(ENTRY_QUEUE, q);
    }
    return q;
  }

  /** The queue of another node. */
  node(node: string): Queue {
    const name = this.keys.nodeQueue(node);
    let q = this.queues.get(name);
    if (q) this.queues.delete(name);
    else {
      q = new Queue(name, { connection: this.redis, prefix: this.keys.queuePrefix });
      q.on('error', (err) => this.log.debug({ err }, 'queue connection error'));
      const routed = [...this.queues.keys()].filter((n) => n !== ENTRY_QUEUE);
      if (routed.length >= ROUTE_QUEUES) {
        const oldest = routed[0]!;
        void this.queues.get(oldest)?.close().catch(() => undefined);
        this.queues.delete(oldest);
      }
    }
    this.queues.set(name, q);
    return q;
  }

  /** Closes every queue opened here. */
  closers(): Array<() => Promise<void>> {
    return [...this.queues.values()].map((q) => () => q.close());
  }
}
