/**
 * A real worker and queue on a private Redis with the runtime a FakeRuntime (its calls and exits
 * are the test's to decide), a client, and a raw connection for looking at keys. `close()`
 * undoes it all.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/log.js';
import { FakeRuntime, ensureBusyboxRootfs } from '../../src/oci/index.js';
import { Berth, type BerthClient } from '../../src/queue/client.js';
import { BerthWorker, type WorkerOptions } from '../../src/queue/worker.js';
import { Keys } from '../../src/store/keys.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { startRedis, testPrefix, type TestRedis } from './redis.js';

export interface FakeStack {
  redis: TestRedis;
  fake: FakeRuntime;
  worker: BerthWorker;
  client: BerthClient;
  /** A plain connection (no retry limit) for reading keys and adding jobs. */
  conn: Redis;
  keys: Keys;
  node: string;
  rootfs: string;
  close(): Promise<void>;
}

export async function startFakeStack(name: string, opts: Pick<WorkerOptions, 'beforeCall'> = {}): Promise<FakeStack> {
  const redis = await startRedis();
  const prefix = testPrefix(name);
  const rootfs = await ensureBusyboxRootfs(join(tmpdir(), 'berth-test-rootfs'));
  // PID 1 ignores TERM; SIGKILL ends it with 137, as runc reports
  const fake = new FakeRuntime();
  const worker = await BerthWorker.start({
    redis: redis.url,
    prefix,
    node: name,
    runtime: fake,
    monitor: fake.monitor,
    log: createLogger({ level: 'silent' }),
    rootfsRoots: [rootfs],
    ...opts,
  });
  const client = await Berth.connect({ redis: redis.url, prefix });
  const conn = new Redis({ ...redisOptionsFromUrl(redis.url), maxRetriesPerRequest: null });
  return {
    redis,
    fake,
    worker,
    client,
    conn,
    keys: new Keys(prefix),
    node: name,
    rootfs,
    async close() {
      await client.close();
      await worker.close();
      conn.disconnect();
      await redis.stop();
    },
  };
}
