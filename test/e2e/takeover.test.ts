/**
 * What a killed worker held or left half done is picked up at once by the next worker of its node,
 * not when it expires: its container leases (taken over), its BullMQ jobs (freed for the stalled
 * check), and the effects it committed but did not run (a stop's deadline). The lease and lock
 * here last 60 s, longer than these tests may run: they can pass only through the takeover.
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

describe('e2e: a killed worker is taken over at once', function () {
  this.timeout(30_000); // half the lease: a test that waited for it to expire fails
  let redis: TestRedis;
  let rootfs: string;
  const clients: BerthClient[] = [];
  const workers: WorkerProcess[] = [];
  const envs: Record<string, string>[] = [];

  before(async () => {
    redis = await startRedis();
    rootfs = await ensureBusyboxRootfs(join(tmpdir(), 'berth-test-rootfs'));
  });

  after(async () => {
    for (const c of clients) await c.close();
    for (const w of workers) w.proc.kill('SIGKILL');
    for (const env of envs) {
      await deleteRuncContainers(env['BERTH_RUNC_ROOT']!);
      rmSync(dirname(env['BERTH_STATE_DIR']!), { recursive: true, force: true });
    }
    await redis?.stop();
  });

  async function node(name: string): Promise<{ env: Record<string, string>; client: BerthClient }> {
    const prefix = testPrefix(name);
    const env = nodeEnv(redis.url, prefix, name, { BERTH_LEASE_MS: '60000', BERTH_LOCK_MS: '60000' });
    envs.push(env);
    const client = await Berth.connect({ redis: redis.url, prefix });
    clients.push(client);
    return { env, client };
  }

  /** What runc says of the container, 'absent' when it has none. */
  async function runcStatus(env: Record<string, string>, id: string): Promise<string> {
    const r = await execa(RUNC, ['--root', env['BERTH_RUNC_ROOT']!, 'state', id], { reject: false });
    return r.exitCode === 0 ? (JSON.parse(r.stdout) as { status: string }).status : 'absent';
  }

  /** A running container on a fresh node whose worker dies as `hook` (a fixture variable) says. */
  async function runningOnDyingWorker(nodeName: string, name: string, hook: Record<string, string>) {
    const { env, client } = await node(nodeName);
    const dying = await spawnWorker({ ...env, ...hook });
    workers.push(dying);
    await client.create({ name, rootfs, command: ['sleep', '1000'], node: nodeName });
    const { Id } = await client.start(name);
    return { env, client, dying, Id };
  }

  it("takes over the lease and job of a worker killed in the middle of a command", async () => {
    const { env, client, dying, Id } = await runningOnDyingWorker('takeover', 'held', { BERTH_TEST_FREEZE_BEFORE: 'ociPause' });
    const epoch = (await client.store.get(Id))!.epoch;

    const pause = await client.enqueue('held', 'pause');
    await dying.line(/^freezing /); // holding the lease and the job's lock, about to call runc
    dying.proc.kill('SIGKILL');
    await dying.proc;
    workers.push(await spawnWorker(env));

    const after = await pause.result();
    expect(after.State.Status).to.equal('paused');
    expect(await runcStatus(env, Id)).to.equal('paused');
    expect((await client.store.get(Id))!.epoch, 'the lease was taken again').to.be.greaterThan(epoch);
    const pauses = (await client.history('held')).filter((h) => h.command === 'pause');
    expect(pauses.map((h) => `${h.from}->${h.to}`)).to.deep.equal(['running->paused']);
  });

  it('runs the stop deadline a killed worker committed but did not schedule', async () => {
    // PID 1 without a TERM handler: only the deadline's SIGKILL stops it
    const { env, client, dying, Id } = await runningOnDyingWorker('effects', 'stubborn', { BERTH_TEST_DIE_BEFORE_EFFECT: 'schedule' });

    await client.enqueue('stubborn', 'stop', { timeout: 1 });
    await dying.proc; // it committed "stopping" and killed itself before adding the timer
    expect((await client.inspect('stubborn')).State.Status).to.equal('stopping');
    expect(await runcStatus(env, Id), 'TERM sent, ignored').to.equal('running');
    workers.push(await spawnWorker(env));

    expect(await client.wait('stubborn'), 'killed by the deadline (SIGKILL)').to.equal(137);
    expect(await runcStatus(env, Id)).to.be.oneOf(['stopped', 'absent']);
  });
});
