/**
 * Wakes workers waiting for a container's lease when its holder releases it (one pub/sub
 * subscription per process), so a waiter never sleeps out a lease that is already free. A holder
 * that dies releases nothing: waiters then wake when the lease expires (their own timeout).
 */
import type { Redis } from 'ioredis';
import type { Keys } from './keys.js';

export class LeaseReleases {
  private readonly waiters = new Map<string, Set<() => void>>();
  private started: Promise<void> | undefined;

  /** `subscriber` must be a connection of its own: it enters subscribe mode. */
  constructor(
    private readonly subscriber: Redis,
    private readonly keys: Keys,
  ) {}

  start(): Promise<void> {
    this.started ??= (async () => {
      this.subscriber.on('message', (channel: string, id: string) => {
        if (channel !== this.keys.leaseReleases) return;
        const set = this.waiters.get(id);
        if (!set) return;
        this.waiters.delete(id);
        for (const wake of set) wake();
      });
      await this.subscriber.subscribe(this.keys.leaseReleases);
    })();
    return this.started;
  }

  /** Resolves when the container's lease is released, or after `timeoutMs`, whichever is first. */
  next(id: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(id) ?? new Set<() => void>();
      const wake = () => {
        clearTimeout(timer);
        set.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      timer.unref();
      set.add(wake);
      this.waiters.set(id, set);
    });
  }

  async close(): Promise<void> {
    for (const set of this.waiters.values()) for (const wake of set) wake();
    this.waiters.clear();
    this.subscriber.disconnect();
  }
}
