/**
 * A batch whose worker dies in the middle (issue 12): the worker process freezes itself just before
 * the second step's runtime call (runc resume) and is killed; the next worker of the node settles
 * that call from runc's view, reads which steps the job committed and goes on after the last, so
 * every step is applied exactly once (the history shows each once) and runc agrees.
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

describe('e2e: a batch survives its worker dying mid-way', function () {
  this.timeout(30_000); // half the lease: the test can pass only through the takeover
  let redis: TestRedis;
  let client: BerthClient;
  let env: Record<string, string>;
  const workers: WorkerProcess[] = [];

  before(async () => {
    redis = await startRedis();
    const prefix = testPrefix('batch-crash');
    env = nodeEnv(redis.url, prefix, 'bc', { BERTH_LEASE_MS: '60000', BERTH_LOCK_MS: '60000' });
    client = await Berth.connect({ redis: redis.url, prefix });
  });
  after(async () => {
    await client?.close();
    for (const w of workers) w.proc.kill('SIGKILL');
    if (env) {
      await deleteRuncContainers(env['BERTH_RUNC_ROOT']!);
      rmSync(dirname(env['BERTH_STATE_DIR']!), { recursive: true, force: true });
    }
    await redis?.stop();
  });

  it('applies every step once after a takeover', async () => {
    const rootfs = await ensureBusyboxRootfs(join(tmpdir(), 'berth-test-rootfs'));
    const dying = await spawnWorker({ ...env, BERTH_TEST_FREEZE_BEFORE: 'ociResume' });
    workers.push(dying);
    await client.create({ name: 'bc', rootfs, command: ['sleep', '1000'], node: 'bc' });
    const { Id } = await client.start('bc');

    const { jobId, result } = await client.enqueue('bc', 'batch', { steps: [{ command: 'pause' }, { command: 'unpause' }, { command: 'pause' }] });
    await dying.line(/^freezing /); // step 1 committed, step 2 about to call runc resume
    dying.proc.kill('SIGKILL');
    await dying.proc.catch(() => undefined);
    workers.push(await spawnWorker(env));

    const after = await result();
    expect(after.State.Status).to.equal('paused');
    const r = await execa(RUNC, ['--root', env['BERTH_RUNC_ROOT']!, 'state', Id], { reject: false });
    expect((JSON.parse(r.stdout) as { status: string }).status).to.equal('paused');
    const steps = (await client.history('bc')).filter((h) => h.jobId === jobId).map((h) => `${h.from}->${h.to}`);
    expect(steps).to.deep.equal(['running->paused', 'paused->running', 'running->paused']);
  });
});
