/**
 * Graceful shutdown: SIGTERM on a worker finishes its in-flight commands, releases its leases and
 * leaves its containers running; another worker of the node carries on with the rest.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { expect } from 'chai';
import { execa } from 'execa';
import { Berth, type BerthClient } from '../../src/queue/client.js';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import { nodeEnv, spawnWorker, type WorkerProcess } from '../helpers/processes.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';
import { RUNC, deleteRuncContainers } from '../helpers/stack.js';

describe('e2e: graceful shutdown of a worker', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  let client: BerthClient;
  let env: Record<string, string>;
  const workers: WorkerProcess[] = [];

  before(async () => {
    redis = await startRedis();
    const prefix = testPrefix('shutdown');
    env = nodeEnv(redis.url, prefix, 'calm');
    workers.push(await spawnWorker(env), await spawnWorker(env));
    client = await Berth.connect({ redis: redis.url, prefix });
  });

  after(async () => {
    await client?.close();
    for (const w of workers) w.proc.kill('SIGKILL');
    await deleteRuncContainers(env['BERTH_RUNC_ROOT']!);
    await redis?.stop();
    rmSync(dirname(env['BERTH_STATE_DIR']!), { recursive: true, force: true });
  });

  it('finishes in-flight commands, releases leases, leaves containers running; the other worker carries on', async () => {
    const rootfs = await ensureBusyboxRootfs(join(tmpdir(), 'berth-test-rootfs'));
    const names = ['g0', 'g1', 'g2'];
    for (const name of names) {
      await client.create({ name, rootfs, command: ['sleep', '1000'], node: 'calm' });
      await client.start(name);
    }
    const queued = [];
    for (let i = 0; i < 10; i++) for (const name of names) queued.push(await client.enqueue(name, i % 2 ? 'unpause' : 'pause'));
    const [leaving] = workers;
    leaving!.proc.kill('SIGTERM');
    const results = await Promise.all(queued.map((q) => q.result()));
    expect(results.map((r) => r.State.Status)).to.deep.equal(queued.map((_, i) => (Math.floor(i / 3) % 2 ? 'running' : 'paused')));
    const exit = await leaving!.proc;
    expect(exit.exitCode, 'SIGTERM ends the worker cleanly').to.equal(0);
    for (const name of names) {
      const c = await client.inspect(name);
      const state = JSON.parse((await execa(RUNC, ['--root', env['BERTH_RUNC_ROOT']!, 'state', c.Id])).stdout) as { status: string };
      expect(state.status, `${name} still runs`).to.equal('running');
      expect(await client.store.redis.exists(client.keys.container(c.Id).lease), `${name} lease released`).to.equal(0);
    }
    // the node is still served
    expect((await client.pause('g0')).State.Status).to.equal('paused');
  });
});
