/**
 * `npm run bench`: what Berth adds over the runc calls it makes, on this machine.
 *  1. per-command latency through the TS API (queue, worker, commit, result) against the raw
 *     runc call the command makes (execa, same binary, same root), p50 and p99;
 *  2. 20 containers' full lifecycle (create, start, pause, unpause, stop -t 0, rm), 8 at a time.
 * Prints a table and writes bench/results/<time>.json. Timings are never asserted in tests.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { execa } from 'execa';
import { Berth, type BerthClient } from '../src/queue/client.js';
import { BerthWorker } from '../src/queue/worker.js';
import { createLogger } from '../src/log.js';
import { ExitDirMonitor, RuncRuntime, ensureBusyboxRootfs } from '../src/oci/index.js';
import { startEmbeddedRedis } from '../src/cli/embedded-redis.js';

const RUNC = '/usr/sbin/runc';
const ROUNDS = Number(process.env['BERTH_BENCH_ROUNDS'] ?? 40);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: size }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  const redis = await startEmbeddedRedis({ dir: join(dir, 'redis') });
  const root = join(dir, 'runc');
  const runtime = new RuncRuntime({ runtime: RUNC, root, stateDir: join(dir, 'state') });
  const worker = await BerthWorker.start({
    redis: redis.url,
    node: 'bench',
    concurrency: 8,
    runtime,
    monitor: new ExitDirMonitor(join(dir, 'state', 'exits')),
    log: createLogger({ level: 'warn', node: 'bench', pretty: false }),
  });
  const client: BerthClient = await Berth.connect({ redis: redis.url });
  const rootfs = await ensureBusyboxRootfs(join(dir, 'rootfs'));
  const rows: Record<string, { berth: number[]; runc: number[] }> = { pause: { berth: [], runc: [] }, unpause: { berth: [], runc: [] }, kill: { berth: [], runc: [] } };
  try {
    // 1. per-command overhead on one running container
    const c = await client.create({ name: 'bench-one', rootfs, command: ['sh', '-c', 'trap "" USR1; while :; do sleep 1; done'] });
    await client.start(c.Id);
    for (let i = 0; i < ROUNDS; i++) {
      rows['pause']!.berth.push(await time(() => client.pause(c.Id)));
      rows['unpause']!.berth.push(await time(() => client.unpause(c.Id)));
      rows['kill']!.berth.push(await time(() => client.kill(c.Id, { signal: 'USR1' })));
      rows['pause']!.runc.push(await time(() => execa(RUNC, ['--root', root, 'pause', c.Id])));
      rows['unpause']!.runc.push(await time(() => execa(RUNC, ['--root', root, 'resume', c.Id])));
      rows['kill']!.runc.push(await time(() => execa(RUNC, ['--root', root, 'kill', c.Id, 'USR1'])));
    }
    await client.remove(c.Id, { force: true });

    // 2. 20 containers' full lifecycle, 8 at a time
    const names = Array.from({ length: 20 }, (_, i) => `bench-${i}`);
    const lifecycle = await time(() =>
      pool(names, 8, async (name) => {
        await client.create({ name, rootfs, command: ['sleep', '1000'] });
        await client.start(name);
        await client.pause(name);
        await client.unpause(name);
        await client.stop(name, { timeout: 0 });
        await client.remove(name);
      }),
    );

    const table = new Table({ head: ['command', 'Berth p50 ms', 'Berth p99 ms', 'runc p50 ms', 'runc p99 ms', 'overhead p50 ms'] });
    const result: Record<string, unknown> = { rounds: ROUNDS, commands: {}, lifecycle20x8Ms: Math.round(lifecycle) };
    const overheads: number[] = [];
    for (const [cmd, r] of Object.entries(rows)) {
      const o = pct(r.berth, 50) - pct(r.runc, 50);
      overheads.push(o);
      (result['commands'] as Record<string, unknown>)[cmd] = {
        berthP50: pct(r.berth, 50), berthP99: pct(r.berth, 99), runcP50: pct(r.runc, 50), runcP99: pct(r.runc, 99), overheadP50: o,
      };
      table.push([cmd, ...[pct(r.berth, 50), pct(r.berth, 99), pct(r.runc, 50), pct(r.runc, 99), o].map((x) => x.toFixed(1))]);
    }
    result['medianOverheadMs'] = pct(overheads, 50);
    console.log(table.toString());
    console.log(`20 containers, full lifecycle, 8 at a time: ${(lifecycle / 1000).toFixed(2)} s (${(20 / (lifecycle / 1000)).toFixed(1)} containers/s)`);
    const out = join(process.cwd(), 'bench', 'results');
    mkdirSync(out, { recursive: true });
    const file = join(out, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2));
    console.log(`wrote ${file}`);
  } finally {
    await client.close();
    await worker.close();
    const list = await execa(RUNC, ['--root', root, 'list', '-q'], { reject: false });
    for (const id of list.stdout.split('\n').filter(Boolean)) await execa(RUNC, ['--root', root, 'delete', '--force', id], { reject: false });
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
