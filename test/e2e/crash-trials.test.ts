/**
 * Crash safety: a worker is killed with SIGKILL at random points while commands run (50
 * interrupted commands across create, start, stop, pause and rm, in 10 rounds of 5), and started
 * again each time. Every command is applied once in effect or fails with a clear error; afterwards
 * Berth's state equals runc's for every container and runc has no container Berth does not know.
 * The recovery time after each crash is printed (not asserted).
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { expect } from 'chai';
import { execa } from 'execa';
import { Berth, type BerthClient } from '../../src/queue/client.js';
import { BerthError } from '../../src/errors.js';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import type { CommandName } from '../../src/machines/index.js';
import { nodeEnv, spawnWorker, type WorkerProcess } from '../helpers/processes.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';
import { RUNC, settled, deleteRuncContainers } from '../helpers/stack.js';

const RUNC_STATUS: Record<string, string> = { configured: 'absent', created: 'created', running: 'running', paused: 'paused', exited: 'absent' };
const ROUNDS = 10;
const SLOTS = 5;

describe('e2e: crash trials (SIGKILL at random points)', function () {
  this.timeout(180_000);
  let redis: TestRedis;
  let client: BerthClient;
  let worker: WorkerProcess | undefined;
  let env: Record<string, string>;

  before(async () => {
    redis = await startRedis();
    const prefix = testPrefix('trials');
    env = nodeEnv(redis.url, prefix, 'trials', { BERTH_LEASE_MS: '1000', BERTH_LOCK_MS: '1000' });
    worker = await spawnWorker(env);
    client = await Berth.connect({ redis: redis.url, prefix });
  });

  after(async () => {
    await client?.close();
    worker?.proc.kill('SIGKILL');
    await deleteRuncContainers(env['BERTH_RUNC_ROOT']!);
    await redis?.stop();
    rmSync(dirname(env['BERTH_STATE_DIR']!), { recursive: true, force: true });
  });

  it('applies every command once or fails it clearly, and leaves Berth and runc agreeing', async () => {
    const rootfs = await ensureBusyboxRootfs(join(tmpdir(), 'berth-test-rootfs'));
    const root = env['BERTH_RUNC_ROOT']!;
    const slots: (string | null)[] = Array.from({ length: SLOTS }, () => null);
    const tried: Record<string, number> = {};
    const recoveries: number[] = [];
    let serial = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const work = slots.map(async (name, i): Promise<void> => {
        if (name === null) {
          const fresh = `t${round}-${i}-${serial++}`;
          tried['create'] = (tried['create'] ?? 0) + 1;
          slots[i] = fresh;
          await client.create({ name: fresh, rootfs, command: ['sleep', '1000'], node: 'trials', stopTimeout: 0 }).catch((err: unknown) => {
            expect(err, 'a clear error').to.be.instanceOf(BerthError);
            slots[i] = null; // a create that failed created nothing
          });
          return;
        }
        const status = (await client.inspect(name)).State.Status;
        const command: CommandName = status === 'configured' || status === 'created' ? 'start' : status === 'running' ? (i % 2 ? 'stop' : 'pause') : 'remove';
        tried[command] = (tried[command] ?? 0) + 1;
        const job = await client.enqueue(name, command, command === 'remove' ? { force: true } : command === 'stop' ? { timeout: 0 } : {});
        try {
          const after = await job.result();
          if (command === 'remove') slots[i] = null;
          if (after.State.Status === 'stopping') await client.wait(name);
        } catch (err) {
          expect(err, `${command} ${name}: a clear error`).to.be.instanceOf(BerthError);
        }
      });
      const all = Promise.all(work);
      // kill the worker at a random point while those commands run, then start it again
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 80)));
      worker!.proc.kill('SIGKILL');
      await worker!.proc;
      const t0 = Date.now();
      worker = await spawnWorker(env);
      await all;
      recoveries.push(Date.now() - t0);
    }

    // at rest: every container Berth knows agrees with runc, and runc knows no other
    const ids = new Set<string>();
    for (const name of slots.filter((n): n is string => n !== null)) {
      const c = await client.inspect(name);
      if (c.State.Status === 'stopped') await settled(client, name, 'exited');
      const now = await client.inspect(name);
      ids.add(now.Id);
      expect(now.State.Activity, `${name} at rest`).to.equal('');
      const r = await execa(RUNC, ['--root', root, 'state', now.Id], { reject: false });
      const runc = r.exitCode === 0 ? (JSON.parse(r.stdout) as { status: string }).status : 'absent';
      expect(runc, `${name}: Berth says ${now.State.Status}`).to.equal(RUNC_STATUS[now.State.Status]);
      // exactly once in effect: no transition of this container was committed twice
      const rows = (await client.history(name)).map((h) => `${h.jobId} ${h.from}->${h.to}`);
      expect(rows.length, `${name} history has no repeats`).to.equal(new Set(rows).size);
    }
    const left = (await execa(RUNC, ['--root', root, 'list', '-q'])).stdout.split('\n').filter(Boolean);
    for (const id of left) expect(ids.has(id), `runc container ${id} is known to Berth`).to.equal(true);
    const total = Object.values(tried).reduce((a, b) => a + b, 0);
    expect(total).to.equal(ROUNDS * SLOTS);
    recoveries.sort((a, b) => a - b);
    console.log(`      commands interrupted: ${JSON.stringify(tried)}; recovery after a crash: median ${recoveries[Math.floor(recoveries.length / 2)]} ms, max ${recoveries[recoveries.length - 1]} ms`);
  });
});
