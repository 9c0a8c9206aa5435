/**
 * rm -f's grace period survives its worker: a worker killed with SIGKILL while a forced remove
 * waits for a stubborn container leaves it running (no SIGKILL without the deadline), and the
 * next worker of the node delivers the durable deadline: the container is then removed and runc
 * has nothing left. Real runc, worker processes.
 */
import { expect } from 'chai';
import type { ResultPromise } from 'execa';
import { spawnWorker } from '../helpers/processes.js';
import { startWorkerNode, stopWorkerNode } from '../helpers/worker-node.js';
import { type BerthClient } from '../../src/queue/client.js';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import { type TestRedis } from '../helpers/redis.js';
import { RUNC, TEST_ROOTFS } from '../helpers/stack.js';
import { execa } from 'execa';

describe('e2e: rm -f with a worker killed during its grace period', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  let client: BerthClient;
  let dir: string;
  let env: Record<string, string>;
  let worker: ResultPromise | undefined;

  before(async () => {
    ({ redis, dir, env, client, worker } = await startWorkerNode('rmcrash', 'rmcrash'));
  });

  after(async () => {
    await stopWorkerNode({ redis, dir, env, client, worker });
  });

  const runcStatus = async (id: string) => {
    const r = await execa(RUNC, ['--root', env['BERTH_RUNC_ROOT']!, 'state', id], { reject: false });
    return r.exitCode === 0 ? (JSON.parse(r.stdout) as { status: string }).status : null;
  };

  it('the next worker delivers the deadline: SIGKILL, removed, nothing left in runc', async () => {
    const rootfs = await ensureBusyboxRootfs(TEST_ROOTFS);
    const c = await client.create({ name: 'stubborn', rootfs, command: ['sh', '-c', 'trap "" TERM; while :; do sleep 0.1; done'], stopTimeout: 3 });
    await client.start('stubborn');
    const { cursor } = await client.store.readWithCursor(c.Id);
    const { result } = await client.enqueue('stubborn', 'remove', { force: true });
    expect((await result()).State, 'the stop signal sent, the deadline set').to.include({ Status: 'removing', Activity: 'waiting' });

    worker!.kill('SIGKILL');
    await worker;
    expect(await runcStatus(c.Id), 'no SIGKILL while no worker runs').to.equal('running');
    expect((await client.inspect('stubborn')).State.Activity).to.equal('waiting');

    worker = (await spawnWorker(env)).proc;
    // waitFor may show an entry twice (its catch-up read and the live feed): one per version
    const steps = new Map<number, string>();
    await client.eventFeed().waitFor(cursor, (e) => {
      if (e.id === c.Id) steps.set(e.version, `${e.to}`);
      return e.id === c.Id && e.state.State.Status === 'removed';
    });
    expect([...steps.keys()]).to.deep.equal([...steps.keys()].sort((a, b) => a - b));
    expect([...steps.values()]).to.deep.equal(['removing.signalling', 'removing.waiting', 'removing.deleting', 'removed']);
    expect(await runcStatus(c.Id), 'runc has nothing left').to.equal(null);
  });
});
