/**
 * `npm run demo`: three containers from a busybox rootfs walk the whole lifecycle on real runc,
 * every step a BullMQ job executed by a worker, each transition printed as it is committed.
 * Uses the embedded default (a private redis-server on a unix socket in the state dir): if
 * `berth up` already runs there, the demo uses it; otherwise it starts its own and stops it after.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Berth, type BerthClient } from '../src/queue/client.js';
import { BerthWorker } from '../src/queue/worker.js';
import { createLogger } from '../src/log.js';
import { ExitDirMonitor, RuncRuntime, ensureBusyboxRootfs } from '../src/oci/index.js';
import { startEmbeddedRedis } from '../src/cli/embedded-redis.js';
import { defaultStateDir, embeddedRedisUrl } from '../src/cli/context.js';
import { readEmbeddedPassword } from '../src/cli/embedded-password.js';
import { formatPsTable } from '../src/cli/ps-format.js';
import { connectRedis, describeRedis } from '../src/store/redis.js';

const started = Date.now();
const stateDir = process.env['BERTH_STATE_DIR'] ?? defaultStateDir();
mkdirSync(stateDir, { recursive: true });
async function useOrStartRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  // a running `berth up` is found as every berth command finds it: its socket and password file
  const socketUrl = embeddedRedisUrl(stateDir, readEmbeddedPassword(stateDir));
  try {
    const probe = await connectRedis(socketUrl, { timeoutMs: 500 });
    probe.disconnect();
    console.log(`using the running Berth at ${describeRedis(socketUrl)}`);
    return { url: socketUrl, stop: async () => {} };
  } catch {
    const redis = await startEmbeddedRedis({ dir: stateDir });
    console.log(`started a private redis-server at ${describeRedis(redis.url)}`);
    return redis;
  }
}

const pad = (s: string, n: number) => s.padEnd(n);

async function walk(client: BerthClient, name: string, rootfs: string, command: string[]): Promise<void> {
  await client.create({ name, rootfs, command, stopTimeout: 2 });
  await client.init(name);
  await client.start(name);
  await client.pause(name);
  await client.unpause(name);
  await client.stop(name);
}

async function main(): Promise<void> {
  const redis = await useOrStartRedis();
  // the demo's runtime keeps its files in <state dir>/demo: its rootfs/ is where containers may look
  const rootfs = await ensureBusyboxRootfs(join(stateDir, 'demo', 'rootfs', 'busybox'));
  const node = `demo-${hostname().replace(/[^a-zA-Z0-9_.-]/g, '-')}`;
  const log = createLogger({ level: 'warn', node });
  const worker = await BerthWorker.start({
    redis: redis.url,
    node,
    runtime: new RuncRuntime({ root: join(stateDir, 'demo-runc'), stateDir: join(stateDir, 'demo') }),
    monitor: new ExitDirMonitor(join(stateDir, 'demo', 'exits')),
    log,
  });
  const client = await Berth.connect({ redis: redis.url });
  const names = ['demo-web', 'demo-db', 'demo-job'].map((n) => `${n}-${process.pid}`);
  const ours = new Set(names);
  const unsubscribe = client.eventFeed().subscribe(({ event }) => {
    const from = event.from.split('.')[0] ?? '';
    const to = event.to.split('.')[0] ?? '';
    if (!ours.has(event.name) || from === to) return;
    console.log(`${pad(event.name, 22)} ${pad(from || '(new)', 10)} -> ${pad(to, 10)} job ${pad(event.jobId, 72)} ${event.ms} ms`);
  });
  console.log(`${pad('CONTAINER', 22)} ${pad('FROM', 10)}    ${pad('TO', 10)} ${pad('JOB', 76)} TIME`);
  try {
    await Promise.all([
      walk(client, names[0]!, rootfs, ['httpd', '-f', '-p', '0']),
      walk(client, names[1]!, rootfs, ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done']),
      walk(client, names[2]!, rootfs, ['sleep', '1000']),
    ]);
    console.log('\nberth ps -a');
    const all = await client.list({ all: true });
    console.log(formatPsTable(all.filter((c) => ours.has(c.Name))));
    await Promise.all(names.map((n) => client.remove(n)));
    console.log(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s: ${names.length} containers created, run, paused, resumed, stopped, cleaned up and removed`);
  } finally {
    unsubscribe();
    await client.close();
    await worker.close();
    await redis.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
