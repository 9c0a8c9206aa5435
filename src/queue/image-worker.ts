/**
 * A node's image worker: runs the node's image jobs (image-jobs.ts) on its own queue, one at a
 * time (the store serialises writes anyway, and a pull is I/O-bound), against the image store in
 * `<stateDir>/images`, and keeps the node's image index in Redis (store/images.ts) current: at
 * start and after each job. Started and closed by the node's BerthWorker.
 */
import type { Redis } from 'ioredis';
import { ImageStore } from '../images/store.js';
import type { Logger } from '../log.js';
import type { ContainerStore } from '../store/containers.js';
import { ImageIndex } from '../store/images.js';
import type { Keys } from '../store/keys.js';
import { closeRedis } from '../store/redis.js';
import { ImageJobs } from './image-jobs.js';
import { ReadableWorker } from './readable-worker.js';

export interface ImageWorkerOptions {
  node: string;
  stateDir: string;
  redis: Redis;
  /** A blocking connection for BullMQ, owned (closed) by the image worker. */
  blocking: Redis;
  keys: Keys;
  containers: ContainerStore;
  log: Logger;
}

export class ImageWorker {
  private constructor(
    private readonly worker: ReadableWorker,
    private readonly blocking: Redis,
  ) {}

  static async start(o: ImageWorkerOptions): Promise<ImageWorker> {
    const images = new ImageStore(o.stateDir);
    const index = new ImageIndex(o.redis, o.keys);
    const changed = async () => index.write(o.node, await images.list());
    await changed();
    const jobs = new ImageJobs({ images, containers: o.containers, log: o.log, node: o.node, changed });
    const worker = new ReadableWorker(o.keys.imageQueue(o.node), (job) => jobs.process(job), {
      connection: o.blocking,
      prefix: o.keys.queuePrefix,
      concurrency: 1,
      // a pull of a large image holds the job for long: renew its lock, never treat it as stalled
      lockDuration: 60_000,
    });
    worker.on('error', (err) => o.log.error({ err }, 'image worker error'));
    await worker.waitUntilReady();
    return new ImageWorker(worker, o.blocking);
  }

  async close(): Promise<void> {
    await this.worker.close();
    await closeRedis(this.blocking);
  }
}
