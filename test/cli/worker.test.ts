/**
 * `berth worker` as a process of its own, against a private Redis: it registers and heartbeats its
 * node, and SIGTERM closes it with exit 0. Readiness is its "worker ready" log line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/cli/embedded-redis.js';
import { berth, spawnBerth } from './run-cli.js';

describe('cli: berth worker', function () {
  this.timeout(30_000);
  let dir: string;
  let redis: EmbeddedRedis;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-worker-'));
    redis = await startEmbeddedRedis({ dir: join(dir, 'redis') });
  });
  after(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a node until SIGTERM, then exits 0', async () => {
    const env = { BERTH_STATE_DIR: join(dir, 'state'), BERTH_LOG_LEVEL: 'info' };
    const worker = spawnBerth(['worker', '--node', 'w1', '--concurrency', '2', '--redis', redis.url], env);
    const logged: string[] = [];
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: worker.stderr! }).on('line', (line) => {
        logged.push(line);
        if (line.includes('"msg":"worker ready"')) resolve();
      });
      void worker.then((r) => reject(new Error(`berth worker exited (${String(r.exitCode)}): ${logged.join('\n')}`)));
    });
    const ls = await berth(['node', 'ls', '--format', 'json', '--redis', redis.url]);
    expect(ls.code, ls.stderr).to.equal(0);
    const [node] = JSON.parse(ls.stdout) as Array<{ name: string; live: boolean; concurrency: number; runtime: string }>;
    expect(node).to.deep.include({ name: 'w1', live: true, concurrency: 2, runtime: 'runc' });

    worker.kill('SIGTERM');
    expect((await worker).exitCode).to.equal(0);
  });

  it('refuses --rootfs-root / at once, and a root holding its state dir when it starts (exit 125, nothing registered)', async () => {
    const env = { BERTH_STATE_DIR: join(dir, 'state') };
    const slash = await berth(['worker', '--node', 'w2', '--rootfs-root', '/', '--redis', redis.url], env);
    expect(slash.code).to.equal(125);
    expect(slash.stderr).to.contain('`--rootfs-root` must not include /: a container could see the whole host');
    const holding = await berth(['worker', '--node', 'w3', '--rootfs-root', dir, '--redis', redis.url], env);
    expect(holding.code).to.equal(125);
    expect(holding.stderr).to.contain(`\`rootfsRoots\` "${dir}" holds ${join(dir, 'state')}, which Berth keeps to itself`);
    const ls = await berth(['node', 'ls', '--format', 'json', '--redis', redis.url]);
    expect((JSON.parse(ls.stdout) as Array<{ name: string }>).map((n) => n.name)).to.not.include.members(['w2', 'w3']);
  });
});
