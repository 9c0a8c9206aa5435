/**
 * The post-reboot refresh end to end on real runc and conmon: a node's worker that starts with a
 * boot id other than the one recorded for the node resets every stale container of the node
 * through the machine, before it takes jobs, and runc holds none of them after; a start with the
 * same boot id changes nothing. The reboot is simulated: the workers' boot id source is the
 * test's (WorkerOptions.bootId), and the runc containers of the "previous boot" still run.
 */
import { Queue, QueueEvents } from 'bullmq';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { BerthWorker } from '../../src/queue/worker.js';
import { settled, startStack, type Stack } from '../helpers/stack.js';

describe('e2e: refresh after a reboot (boot id changed)', function () {
  this.timeout(60_000);
  let s: Stack;
  let boot = 'boot-before';
  const workers: BerthWorker[] = [];
  before(async () => {
    s = await startStack('refresh', { bootId: async () => boot });
  });
  after(async () => {
    for (const w of workers) await w.close();
    await s?.close();
  });

  /** The worker of the node stopped, another started (a reboot, as the node sees it). */
  async function restartWorker(): Promise<void> {
    await (workers.pop() ?? s.worker).close();
    workers.push(await s.startWorker());
  }

  const versions = async (names: string[]) => Promise.all(names.map(async (n) => (await s.client.inspect(n)).Version));

  it('the first start records the boot id', async () => {
    expect(await s.client.nodes.bootId(s.node)).to.equal('boot-before');
  });

  it('running, paused and created containers end exited or configured with the reason; runc no longer has them', async () => {
    const ran = await s.client.create({ name: 'ran', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start('ran');
    const frozen = await s.client.create({ name: 'frozen', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start('frozen');
    await s.client.pause('frozen');
    const made = await s.client.create({ name: 'made', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.init('made');
    await s.client.create({ name: 'idle', rootfs: s.rootfs, command: ['true'] });
    expect((await s.runc(ran.Id))?.status).to.equal('running');
    expect((await s.runc(frozen.Id))?.status).to.equal('paused');
    expect((await s.runc(made.Id))?.status).to.equal('created');
    const [idleBefore] = await versions(['idle']);

    boot = 'boot-after';
    await restartWorker();

    const after = Object.fromEntries(await Promise.all(['ran', 'frozen', 'made', 'idle'].map(async (n) => [n, await s.client.inspect(n)] as const)));
    expect(after['ran']!.State.Status).to.equal('exited');
    expect(after['frozen']!.State.Status).to.equal('exited');
    expect(after['made']!.State.Status).to.equal('configured');
    expect(after['idle']!.State.Status).to.equal('configured');
    expect(after['idle']!.Version, 'a configured container is not touched').to.equal(idleBefore);
    for (const n of ['ran', 'frozen', 'made']) {
      expect(after[n]!.State.Pid).to.equal(0);
      expect(after[n]!.State.Error).to.match(/^reset after a reboot of node node-refresh \(its boot id changed\): the container was (running|paused|created)$/);
      expect(after[n]!.State.Activity, `${n} rests`).to.equal('');
    }
    expect(after['frozen']!.State.Error).to.match(/was paused$/);
    // what runc itself reports: none of them is there any more
    expect(await s.runc(ran.Id)).to.equal(null);
    expect(await s.runc(frozen.Id)).to.equal(null);
    expect(await s.runc(made.Id)).to.equal(null);
    // the history shows it, as the Berth-only refresh command
    const history = await s.client.history('ran');
    const last = history.filter((h) => h.command.startsWith('refresh'));
    expect(last.map((h) => [h.command, h.from, h.to])).to.deep.equal([['refresh', 'running', 'exited']]);
    expect(await s.client.nodes.bootId(s.node)).to.equal('boot-after');
    // the reset container starts again as a new run, and runc runs it
    await s.client.start('ran');
    expect((await s.runc(ran.Id))?.status).to.equal('running');
    await settled(s.client, 'ran', 'running');
  });

  it('a second start with the same boot id changes nothing', async () => {
    const names = ['ran', 'frozen', 'made', 'idle'];
    const before = await versions(names);
    const historyBefore = (await s.client.history('ran')).length;
    await restartWorker();
    expect(await versions(names)).to.deep.equal(before);
    expect((await s.client.history('ran')).length).to.equal(historyBefore);
    expect((await s.client.inspect('ran')).State.Status).to.equal('running');
    expect((await s.runc((await s.client.inspect('ran')).Id))?.status).to.equal('running');
  });

  it('a producer cannot forge a refresh: the job fails, the container is left as it was', async () => {
    const before = await s.client.inspect('ran');
    const conn = new Redis(s.redis.url, { maxRetriesPerRequest: null });
    const name = s.client.keys.nodeQueue(s.node);
    const queue = new Queue(name, { connection: conn, prefix: s.client.keys.queuePrefix });
    const events = new QueueEvents(name, { connection: conn.duplicate(), prefix: s.client.keys.queuePrefix });
    try {
      await events.waitUntilReady();
      const job = await queue.add('refresh', { container: before.Id, reason: 'forged' }, { jobId: 'forged-refresh' });
      const failed = await job.waitUntilFinished(events).then(() => '', (err: Error) => err.message);
      expect(failed).to.equal('EINVAL: "refresh" is internal to Berth: only its own workers queue it');
    } finally {
      await events.close();
      await queue.close();
      conn.disconnect();
    }
    const after = await s.client.inspect('ran');
    expect([after.State.Status, after.Version, after.State.Error]).to.deep.equal([before.State.Status, before.Version, before.State.Error]);
  });
  it('brings back an always container after the reboot (restart policies); one without a policy stays exited', async () => {
    const always = await s.client.create({ name: 'keeper', rootfs: s.rootfs, command: ['sleep', '1000'], restartPolicy: 'always' });
    const first = await s.client.start('keeper');
    await s.client.create({ name: 'plain', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start('plain');
    boot = 'boot-third';
    await restartWorker();
    await settled(s.client, 'keeper', 'running');
    const back = await s.client.inspect('keeper');
    expect(back.State.Pid).to.not.equal(first.State.Pid);
    expect((await s.runc(always.Id))?.status).to.equal('running');
    expect((await s.client.inspect('plain')).State.Status).to.equal('exited');
  });
});
