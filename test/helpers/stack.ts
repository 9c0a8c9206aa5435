/**
 * An end-to-end stack for tests: a private Redis, a worker on real runc and conmon (its own runc
 * --root and state dir), a client, and a busybox rootfs. `runc(id)` asks runc itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Berth, type BerthClient } from '../../src/queue/client.js';
import { BerthWorker } from '../../src/queue/worker.js';
import { createLogger, type Logger } from '../../src/log.js';
import { ExitDirMonitor, RuncRuntime, ensureBusyboxRootfs, type ExitMonitor } from '../../src/oci/index.js';
import type { ImageResolver } from '../../src/images/types.js';
import { mountPoints } from '../../src/storage/overlay.js';
import { startRedis, testPrefix, type TestRedis } from './redis.js';

export const RUNC = '/usr/sbin/runc';
/** The busybox rootfs the tests share (ensureBusyboxRootfs builds it once): their workers' rootfs root. */
export const TEST_ROOTFS = join(tmpdir(), 'berth-test-rootfs');

export interface Stack {
  redis: TestRedis;
  client: BerthClient;
  worker: BerthWorker;
  node: string;
  prefix: string;
  root: string;
  stateDir: string;
  rootfs: string;
  /** Starts another worker process-equivalent on the same node (after a crash). */
  startWorker(): Promise<BerthWorker>;
  runc(id: string): Promise<{ status: string; pid: number } | null>;
  runcList(): Promise<string[]>;
  close(): Promise<void>;
}

export interface StackOptions {
  concurrency?: number;
  prefix?: string;
  labels?: Record<string, string>;
  aof?: boolean;
  /** Redis on 127.0.0.1:<port> instead of a unix socket (what a container on the host network reaches). */
  tcp?: boolean;
  /** The workers' hook before each runtime call (WorkerOptions.beforeCall). */
  beforeCall?: (container: string, call: string) => Promise<void>;
  /** The workers' exit monitor, given the exit dir (default: an ExitDirMonitor of it). */
  monitor?: (exitDir: string) => ExitMonitor;
  /** Lines each output stream keeps (WorkerOptions.logMaxLines). */
  logMaxLines?: number;
  /** The host's boot id as the workers read it (WorkerOptions.bootId; the post-reboot refresh). */
  bootId?: () => Promise<string>;
  /** The workers' images (WorkerOptions.images), made in the stack's dir from the busybox rootfs. */
  images?: (dir: string, busyboxRootfs: string) => Promise<ImageResolver>;
  /** The workers' metrics port (WorkerOptions.metricsPort; 0: a free one). */
  metricsPort?: number;
  /** The workers' logger (default: silent, or BERTH_TEST_LOG's level). */
  log?: Logger;
}

export async function startStack(name: string, opts: StackOptions = {}): Promise<Stack> {
  const redis = await startRedis({ aof: opts.aof === true, tcp: opts.tcp === true });
  const dir = mkdtempSync(join(tmpdir(), `berth-${name}-`));
  const root = join(dir, 'runc');
  const stateDir = join(dir, 'state');
  const rootfs = await ensureBusyboxRootfs(TEST_ROOTFS);
  const prefix = opts.prefix ?? testPrefix(name);
  const node = `node-${name}`;
  const images = opts.images ? await opts.images(dir, rootfs) : undefined;
  const log = opts.log ?? createLogger({ level: process.env['BERTH_TEST_LOG'] ?? 'silent', node, pretty: false });
  const startWorker = () => {
    const runtime = new RuncRuntime({ runtime: RUNC, root, stateDir });
    return BerthWorker.start({
      redis: redis.url,
      prefix,
      node,
      concurrency: opts.concurrency ?? 8,
      rootfsRoots: [rootfs],
      ...(opts.labels ? { labels: opts.labels } : {}),
      ...(opts.beforeCall ? { beforeCall: opts.beforeCall } : {}),
      ...(opts.logMaxLines ? { logMaxLines: opts.logMaxLines } : {}),
      ...(opts.bootId ? { bootId: opts.bootId } : {}),
      ...(images ? { images } : {}),
      ...(opts.metricsPort === undefined ? {} : { metricsPort: opts.metricsPort }),
      runtime,
      monitor: opts.monitor?.(join(stateDir, 'exits')) ?? new ExitDirMonitor(join(stateDir, 'exits')),
      log,
    });
  };
  const worker = await startWorker();
  const client = await Berth.connect({ redis: redis.url, prefix });
  const runcList = async () => {
    const r = await execa(RUNC, ['--root', root, 'list', '--format', 'json'], { reject: false });
    const list = JSON.parse(r.stdout.trim() || 'null') as { id: string }[] | null;
    return (list ?? []).map((c) => c.id);
  };
  return {
    redis,
    client,
    worker,
    node,
    prefix,
    root,
    stateDir,
    rootfs,
    startWorker,
    runcList,
    async runc(id: string) {
      const r = await execa(RUNC, ['--root', root, 'state', id], { reject: false });
      if (r.exitCode !== 0) return null;
      const s = JSON.parse(r.stdout) as { status: string; pid: number };
      return { status: s.status, pid: s.pid };
    },
    async close() {
      await client.close();
      await worker.close();
      await deleteRuncContainers(root);
      await redis.stop();
      // containers' overlays left mounted: never removed through
      for (const m of [...(await mountPoints())].filter((p) => p.startsWith(`${dir}/`))) await execa('umount', ['-l', m], { reject: false });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the container rests (no runtime call in flight) in `status`; event-driven. */
export async function settled(client: BerthClient, name: string, status: string): Promise<void> {
  const id = await client.store.resolve(name);
  const { cursor } = await client.store.readWithCursor(id);
  const now = await client.inspect(id);
  if (now.State.Status === status && now.State.Activity === '') return;
  await client.eventFeed().waitFor(cursor, (e) => e.id === id && e.state.State.Status === status && e.state.State.Activity === '');
}

/** Deletes every container under a runc root (test cleanup; never fails). */
export async function deleteRuncContainers(root: string): Promise<void> {
  const list = await execa(RUNC, ['--root', root, 'list', '-q'], { reject: false });
  for (const id of String(list.stdout).split('\n').filter(Boolean)) {
    await execa(RUNC, ['--root', root, 'delete', '--force', id], { reject: false });
  }
}
