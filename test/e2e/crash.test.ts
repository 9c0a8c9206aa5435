/**
 * A worker killed with SIGKILL while its containers run, then started again: exits that happened
 * while it was down, and exits after it is back, are recorded with the right codes (conmon
 * outlives the worker; the exit dir is read again at start).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import { spawnWorker } from '../helpers/processes.js';
import { startWorkerNode, stopWorkerNode } from '../helpers/worker-node.js';
import { type BerthClient } from '../../src/queue/client.js';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import { type TestRedis } from '../helpers/redis.js';
import { RUNC, settled } from '../helpers/stack.js';

describe('e2e: worker killed with SIGKILL and restarted', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  let client: BerthClient;
  let dir: string;
  let env: Record<string, string>;
  let worker: ResultPromise | undefined;

  before(async () => {
    ({ redis, dir, env, client, worker } = await startWorkerNode('crash', 'crashy'));
  });

  after(async () => {
    await stopWorkerNode({ redis, dir, env, client, worker });
  });

  it('records exits from while it was down and after it came back', async () => {
    const rootfs = await ensureBusyboxRootfs(join(tmpdir(), 'berth-test-rootfs'));
    // each exits with its own code when sent SIGUSR1
    const codes = { early: 42, late: 43, paused: 44 };
    for (const [name, code] of Object.entries(codes)) {
      await client.create({ name, rootfs, command: ['sh', '-c', `trap "exit ${code}" USR1; while :; do sleep 0.05; done`] });
      await client.start(name);
    }
    await client.pause('paused');
    const ids = Object.fromEntries(await Promise.all(Object.keys(codes).map(async (n) => [n, (await client.inspect(n)).Id] as const)));

    worker!.kill('SIGKILL');
    await worker;
    // the containers outlive their worker
    const runc = (id: string) => execa(RUNC, ['--root', env['BERTH_RUNC_ROOT']!, ...['state', id]], { reject: false });
    expect(JSON.parse((await runc(ids['early']!)).stdout).status).to.equal('running');

    // an exit while no worker runs: conmon writes the exit file all the same
    await execa(RUNC, ['--root', env['BERTH_RUNC_ROOT']!, 'kill', ids['early']!, 'USR1']);
    worker = (await spawnWorker(env)).proc;
    expect(await client.wait('early')).to.equal(42);

    // an exit after the restart, and a command to a container the old worker paused
    await execa(RUNC, ['--root', env['BERTH_RUNC_ROOT']!, 'kill', ids['late']!, 'USR1']);
    expect(await client.wait('late')).to.equal(43);
    expect((await client.unpause('paused')).State.Status).to.equal('running');
    await execa(RUNC, ['--root', env['BERTH_RUNC_ROOT']!, 'kill', ids['paused']!, 'USR1']);
    expect(await client.wait('paused')).to.equal(44);

    for (const name of Object.keys(codes)) {
      // the exit's cleanup (runc delete) follows on its own: compare once it has run
      await settled(client, name, 'exited');
      const c = await client.inspect(name);
      expect(c.State.ExitCode, name).to.equal(codes[name as keyof typeof codes]);
      expect((await runc(c.Id)).exitCode, `${name} is gone from runc`).to.not.equal(0);
    }
  });
});
