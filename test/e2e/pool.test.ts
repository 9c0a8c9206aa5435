/**
 * Several worker processes on one node share its work: per-container order and mutual exclusion
 * hold with 4 workers x concurrency 8; a worker frozen (SIGSTOP) past its lease and then resumed
 * can neither write its stale snapshot nor repeat the runtime call another worker made.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { Berth, type BerthClient } from '../../src/queue/client.js';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import { nodeEnv, spawnWorker, type WorkerProcess } from '../helpers/processes.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';
import { RUNC, deleteRuncContainers } from '../helpers/stack.js';

describe('e2e: a worker pool on one node', function () {
  this.timeout(90_000);
  let redis: TestRedis;
  let client: BerthClient;
  let rootfs: string;
  const workers: WorkerProcess[] = [];
  const envs: Record<string, string>[] = [];

  before(async () => {
    redis = await startRedis();
    rootfs = await ensureBusyboxRootfs(join(tmpdir(), 'berth-test-rootfs'));
  });

  afterEach(async () => {
    await client?.close();
    for (const w of workers.splice(0)) {
      w.proc.kill('SIGCONT');
      w.proc.kill('SIGKILL');
      await w.proc;
    }
    for (const env of envs.splice(0)) {
      await deleteRuncContainers(env['BERTH_RUNC_ROOT']!);
      rmSync(dirname(env['BERTH_STATE_DIR']!), { recursive: true, force: true });
    }
  });

  after(async () => {
    await redis?.stop();
  });

  it('keeps per-container order and exclusion with 4 workers x concurrency 8', async () => {
    const prefix = testPrefix('pool');
    const env = nodeEnv(redis.url, prefix, 'pool', { BERTH_CONCURRENCY: '8' });
    envs.push(env);
    workers.push(...(await Promise.all([1, 2, 3, 4].map(() => spawnWorker(env)))));
    client = await Berth.connect({ redis: redis.url, prefix });
    const names = ['p0', 'p1', 'p2', 'p3', 'p4'];
    for (const name of names) {
      await client.create({ name, rootfs, command: ['sleep', '1000'], node: 'pool' });
      await client.start(name);
    }
    // 20 commands per container, all queued before any is awaited
    const queued = [];
    for (let i = 0; i < 20; i++) for (const name of names) queued.push({ name, i, job: await client.enqueue(name, i % 2 ? 'unpause' : 'pause') });
    const results = await Promise.all(queued.map(async (q) => ({ ...q, r: await q.job.result() })));
    for (const { name, i, r } of results) expect(r.State.Status, `${name} #${i}`).to.equal(i % 2 ? 'running' : 'paused');
    for (const name of names) {
      const mine = results.filter((q) => q.name === name).map((q) => q.r.Version);
      expect(mine, `${name}: each command sees the one before it`).to.deep.equal([...mine].sort((a, b) => a - b));
      const history = (await client.history(name)).filter((h) => h.command === 'pause' || h.command === 'unpause');
      expect(history.map((h) => h.command)).to.deep.equal(Array.from({ length: 20 }, (_, i) => (i % 2 ? 'unpause' : 'pause')));
      const runc = await execa(RUNC, ['--root', env['BERTH_RUNC_ROOT']!, 'state', (await client.inspect(name)).Id]);
      expect(JSON.parse(runc.stdout).status).to.equal('running');
    }
  });

  it('fences a worker frozen past its lease: no stale write, no repeated runtime call', async () => {
    const prefix = testPrefix('fence');
    const base = { BERTH_LEASE_MS: '1000', BERTH_LOCK_MS: '1000' };
    const env = nodeEnv(redis.url, prefix, 'fence', base);
    envs.push(env);
    const frozen = await spawnWorker({ ...env, BERTH_TEST_FREEZE_BEFORE: 'ociKill' });
    workers.push(frozen);
    client = await Berth.connect({ redis: redis.url, prefix });
    await client.create({ name: 'counted', rootfs, command: ['sh', '-c', 'trap "echo got USR1" USR1; while :; do sleep 0.05; done'], node: 'fence' });
    await client.start('counted');

    const kill = await client.enqueue('counted', 'kill', { signal: 'USR1' });
    await frozen.line(/^freezing /); // stopped just before its runtime call, holding the lease
    workers.push(await spawnWorker(env)); // the job stalls and this one takes it over
    const done = await kill.result();
    expect(done.State.Status).to.equal('running');

    frozen.proc.kill('SIGCONT');
    // the thawed worker's next runtime call is fenced; prove it has run its course by driving the
    // container on: every later command is applied once, by whoever holds the lease
    expect((await client.pause('counted')).State.Status).to.equal('paused');
    expect((await client.unpause('counted')).State.Status).to.equal('running');
    const signals: string[] = [];
    for await (const l of client.logs('counted')) if (l.text === 'got USR1') signals.push(l.text);
    expect(signals, 'USR1 delivered exactly once').to.have.length(1);
    const history = (await client.history('counted')).map((h) => `${h.command}:${h.to}`);
    expect(history.filter((h) => h.startsWith('kill'))).to.have.length(0); // kill keeps Status running
    const record = await client.store.get(done.Id);
    expect(record?.status).to.equal('running');
  });
});
