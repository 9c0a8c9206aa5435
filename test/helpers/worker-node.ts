/**
 * One node served by a real worker process (real runc, its own Redis, dir and prefix) and a client,
 * for the tests that kill that process: crash, rm -f's grace, exec under faults. The test keeps
 * the parts in its own variables (it replaces `worker` when it restarts one) and hands them back
 * to stopWorkerNode.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { Berth, type BerthClient } from '../../src/queue/client.js';
import { spawnWorker } from './processes.js';
import { startRedis, testPrefix, type TestRedis } from './redis.js';
import { TEST_ROOTFS, deleteRuncContainers } from './stack.js';

export interface WorkerNode {
  redis: TestRedis;
  client: BerthClient;
  dir: string;
  prefix: string;
  /** The worker's environment (BERTH_*): spawnWorker(env) starts another. */
  env: Record<string, string>;
  worker: ResultPromise | undefined;
}

export async function startWorkerNode(name: string, node: string, extraEnv: Record<string, string> = {}): Promise<WorkerNode> {
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), `berth-${name}-`));
  const prefix = testPrefix(name);
  const env = {
    BERTH_REDIS_URL: redis.url,
    BERTH_PREFIX: prefix,
    BERTH_NODE: node,
    BERTH_RUNC_ROOT: join(dir, 'runc'),
    BERTH_STATE_DIR: join(dir, 'state'),
    BERTH_ROOTFS_ROOT: TEST_ROOTFS,
    ...extraEnv,
  };
  const worker = (await spawnWorker(env)).proc;
  const client = await Berth.connect({ redis: redis.url, prefix });
  return { redis, client, dir, prefix, env, worker };
}

/** Closes the client, kills the worker, deletes what runc still has, stops Redis, removes the dir. */
export async function stopWorkerNode(n: Partial<WorkerNode>): Promise<void> {
  await n.client?.close();
  n.worker?.kill('SIGKILL');
  if (n.env?.['BERTH_RUNC_ROOT']) await deleteRuncContainers(n.env['BERTH_RUNC_ROOT']);
  await n.redis?.stop();
  if (n.dir) rmSync(n.dir, { recursive: true, force: true });
}
