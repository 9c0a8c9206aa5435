/**
 * The Berth worker under test, in a process of its own (as deployed), so that its RSS and CPU are
 * its own. Started by stack.ts with fork(): argv[2] is a JSON WorkerConfig. Every runtime call
 * and every exit the monitor reports is recorded as a span (epoch ms), which the parent fetches
 * over IPC to split each command's latency into "runtime calls" and "Berth's own overhead".
 *
 *   parent -> child: { type: 'spans', clear?: boolean }   child -> parent: { type: 'spans', spans }
 *   parent -> child: { type: 'mem' }                       child -> parent: { type: 'mem', mem } (after a GC)
 *   parent -> child: { type: 'calls', floor }              child -> parent: { type: 'calls', calls } (floor.ts)
 *   parent -> child: { type: 'close' }                     child -> parent: { type: 'ready' } once started
 */
import { join } from 'node:path';
import { BerthWorker } from '../src/queue/worker.js';
import { createLogger } from '../src/log.js';
import { ExitDirMonitor, RuncRuntime } from '../src/oci/index.js';
import type { ExitMonitor, ExitRecord, OciRuntime } from '../src/oci/index.js';
import { nowMs } from './stats.js';
import type { Span } from './spans.js';
import { traceRedis } from './trace.js';
import { measureCalls, type FloorOptions } from './floor.js';

export interface WorkerConfig {
  redis: string;
  node: string;
  concurrency: number;
  runc: string;
  root: string;
  stateDir: string;
  /** The worker's rootfs roots (the bench's busybox rootfs lives in a temp dir). */
  rootfsRoots?: string[];
}

const spans: Span[] = [];
const MAX_SPANS = 200_000;

function record(span: Span): void {
  if (spans.length < MAX_SPANS) spans.push(span);
}

const TIMED = new Set(['create', 'start', 'kill', 'pause', 'resume', 'delete', 'state', 'purge', 'clearExit']);

/** The runtime with every call timed; behaviour unchanged. */
function instrument(runtime: RuncRuntime): OciRuntime {
  return new Proxy(runtime, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || typeof value !== 'function' || !TIMED.has(prop)) return value;
      const fn = value as (...args: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]) => {
        const first = args[0];
        const id = typeof first === 'string' ? first : ((first as { id?: string } | undefined)?.id ?? '');
        const t0 = nowMs();
        let ok = false;
        try {
          const out = await fn.apply(target, args);
          ok = true;
          return out;
        } finally {
          record({ id, call: prop, t0, t1: nowMs(), ok });
        }
      };
    },
  });
}

class TimedMonitor implements ExitMonitor {
  constructor(private readonly inner: ExitMonitor) {}
  start(onExit: (exit: ExitRecord) => void): Promise<void> {
    return this.inner.start((exit) => {
      record({ id: exit.id, call: 'exit', t0: Date.parse(exit.at), t1: nowMs(), ok: true });
      onExit(exit);
    });
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

async function main(): Promise<void> {
  // profiling (bench/profile.ts): every Redis round trip as a span with id "redis"
  if (process.env['BERTH_BENCH_TRACE'] === '1') traceRedis((r) => record({ id: 'redis', call: `${r.conn} ${r.cmd}`, t0: r.t0, t1: r.t1, ok: true }));
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
  const runtime = new RuncRuntime({ runtime: config.runc, root: config.root, stateDir: config.stateDir });
  const worker = await BerthWorker.start({
    redis: config.redis,
    node: config.node,
    concurrency: config.concurrency,
    ...(config.rootfsRoots ? { rootfsRoots: config.rootfsRoots } : {}),
    runtime: instrument(runtime),
    monitor: new TimedMonitor(new ExitDirMonitor(join(config.stateDir, 'exits'))),
    log: createLogger({ level: process.env['BERTH_BENCH_LOG'] ?? 'warn', node: config.node, pretty: false }),
  });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= worker
      .close()
      .catch((err: unknown) => console.error('bench worker: close failed', err))
      .finally(() => process.exit(0));
    return closing;
  };
  process.on('SIGTERM', () => void close());
  process.on('SIGINT', () => void close());
  process.on('disconnect', () => void close()); // the parent is gone
  process.on('message', (msg: { type?: string; clear?: boolean; floor?: FloorOptions }) => {
    if (msg.type === 'spans') {
      process.send?.({ type: 'spans', spans });
      if (msg.clear) spans.length = 0;
    } else if (msg.type === 'mem') {
      // after a full GC (the worker runs with --expose-gc): what is live, not what V8 has not returned yet
      (globalThis as { gc?: () => void }).gc?.();
      process.send?.({ type: 'mem', mem: process.memoryUsage() });
    } else if (msg.type === 'calls') {
      measureCalls(msg.floor ?? { samples: 100, warmup: 10 }, config.runc).then(
        (calls) => process.send?.({ type: 'calls', calls }),
        (err: unknown) => process.send?.({ type: 'calls', error: String(err) }),
      );
    } else if (msg.type === 'close') void close();
  });
  process.send?.({ type: 'ready' });
}

main().catch((err: unknown) => {
  console.error('bench worker: failed to start', err);
  process.exit(1);
});
