/**
 * Worker pools: Berth's throughput with 1, 2 and 4 worker processes serving one node (each at the
 * same concurrency), `parallel` containers through the full lifecycle at a time.
 */
import { withScope } from './cleanup.js';
import { startStack } from './stack.js';
import { pool, round } from './stats.js';
import { berthLifecycle } from './throughput.js';

export interface PoolOptions {
  rootfs: string;
  count: number;
  parallel: number;
  concurrency: number;
  workers: number[];
}

export interface PoolRun {
  workers: number;
  perSecond: number;
  workerCpuPerContainer: number;
}

export interface PoolResult {
  count: number;
  parallel: number;
  concurrency: number;
  runs: PoolRun[];
}

export async function runPool(o: PoolOptions, log: (line: string) => void): Promise<PoolResult> {
  const runs: PoolRun[] = [];
  for (const workers of o.workers) {
    const run = await withScope(`pool-${workers}`, async (scope) => {
      const stack = await startStack(scope, { name: `pool${workers}`, concurrency: o.concurrency, workers, rootfs: o.rootfs });
      // warm-up, not recorded
      await pool(['w1', 'w2', 'w3', 'w4'].map((n) => `pool-${workers}-${n}`), 4, (name) => berthLifecycle(stack, name, o.rootfs));
      const names = Array.from({ length: o.count }, (_, i) => `pool-${workers}-${i + 1}`);
      const cpu0 = stack.cpu().worker;
      const t0 = performance.now();
      await pool(names, o.parallel, (name) => berthLifecycle(stack, name, o.rootfs));
      const seconds = (performance.now() - t0) / 1000;
      return { workers, perSecond: round(o.count / seconds, 1), workerCpuPerContainer: round((stack.cpu().worker - cpu0) / o.count, 1) };
    });
    runs.push(run);
    log(`  ${workers} worker process${workers > 1 ? 'es' : ''} x concurrency ${o.concurrency}, ${o.parallel} at a time: ${run.perSecond} containers/s (worker CPU ${run.workerCpuPerContainer} ms per container)`);
  }
  return { count: o.count, parallel: o.parallel, concurrency: o.concurrency, runs };
}
