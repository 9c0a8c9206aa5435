/**
 * A policy restart is a durable timer, never a worker's memory: the worker is killed with SIGKILL
 * while a crashed container waits out its backoff, and the next worker of the node restarts it,
 * exactly once. Real runc, worker processes.
 */
import { expect } from 'chai';
import type { ResultPromise } from 'execa';
import type { Inspect } from '../../src/actors/inspect.js';
import type { BerthClient } from '../../src/queue/client.js';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import { spawnWorker } from '../helpers/processes.js';
import type { TestRedis } from '../helpers/redis.js';
import { TEST_ROOTFS } from '../helpers/stack.js';
import { startWorkerNode, stopWorkerNode } from '../helpers/worker-node.js';

describe('e2e: a restart scheduled before a worker SIGKILL', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  let client: BerthClient;
  let dir: string;
  let env: Record<string, string>;
  let worker: ResultPromise | undefined;

  before(async () => {
    ({ redis, dir, env, client, worker } = await startWorkerNode('restartkill', 'restartkill', { BERTH_RESTART_BACKOFF_MS: '1500' }));
  });
  after(async () => {
    await stopWorkerNode({ redis, dir, env, client, worker });
  });

  it('still happens, once, on the next worker', async () => {
    const rootfs = await ensureBusyboxRootfs(TEST_ROOTFS);
    const c = await client.create({ name: 'crasher', rootfs, command: ['sh', '-c', 'exit 2'], restartPolicy: 'on-failure', restartRetries: 1 });
    const { cursor } = await client.store.readWithCursor(c.Id);
    await client.start('crasher');
    const waiting = await client.eventFeed().waitFor(cursor, (e) => e.id === c.Id && (e.state.State as unknown as Inspect['State']).Restarting);
    expect(waiting.state.RestartCount).to.equal(0);

    worker!.kill('SIGKILL');
    await worker;
    const during = await client.inspect('crasher');
    expect(during.State, 'the restart waits while no worker runs').to.include({ Restarting: true, RestartBackoffMs: 1500 });
    expect(during.RestartCount).to.equal(0);

    worker = (await spawnWorker(env)).proc;
    const done = await client.eventFeed().waitFor(cursor, (e) => e.id === c.Id && e.state.RestartCount === 1 && e.state.State.Status === 'exited' && e.state.State.Activity === '');
    expect(done.state.State.ExitCode).to.equal(2);
    const now = await client.inspect('crasher');
    expect(now.State).to.include({ Status: 'exited', Restarting: false });
    expect(now.RestartCount, 'on-failure:1: one restart, exactly').to.equal(1);
    const history = await client.history('crasher');
    expect(history.filter((h) => h.to === 'running'), 'two runs: the start and one restart').to.have.length(2);
    expect(history.filter((h) => h.command === 'timer (internal)' && h.from === 'exited'), 'the timer started it once').to.have.length(1);
  });

  it('with the node\'s next worker, always comes back even after a user stop; unless-stopped after a user stop does not', async () => {
    const rootfs = await ensureBusyboxRootfs(TEST_ROOTFS);
    const sleeper = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done'];
    const a = await client.create({ name: 'back-always', rootfs, command: sleeper, restartPolicy: 'always' });
    const u = await client.create({ name: 'back-unless', rootfs, command: sleeper, restartPolicy: 'unless-stopped' });
    for (const name of ['back-always', 'back-unless']) {
      await client.start(name);
      expect((await client.stop(name)).State).to.include({ Status: 'exited', StoppedByUser: true, Restarting: false });
    }
    const { cursor } = await client.store.readWithCursor(a.Id);
    const uVersion = (await client.store.get(u.Id))!.version;
    worker!.kill('SIGKILL');
    await worker;
    worker = (await spawnWorker(env)).proc;
    const back = await client.eventFeed().waitFor(cursor, (e) => e.id === a.Id && e.state.State.Status === 'running' && e.state.State.Activity === '');
    expect(back.command).to.equal('start (internal)');
    expect((await client.inspect('back-always')).State).to.include({ Status: 'running', StoppedByUser: false });
    // the same reconcile judged both: the unless-stopped one was left as the user left it
    const u2 = await client.inspect('back-unless');
    expect(u2.State).to.include({ Status: 'exited', StoppedByUser: true });
    expect((await client.store.get(u.Id))!.version, 'not touched').to.equal(uVersion);
    expect((await client.history('back-unless')).filter((h) => h.command.includes('internal') && h.to === 'running')).to.deep.equal([]);
  });
});
