/**
 * End to end through the queue on real runc and real Redis: after every step Berth's state is
 * compared with what `runc state` itself reports.
 */
import { expect } from 'chai';
import { startStack, type Stack } from '../helpers/stack.js';

/** Berth status -> what runc must say ("absent" = runc does not know the container). */
const RUNC_STATUS: Record<string, string> = {
  configured: 'absent',
  created: 'created',
  running: 'running',
  paused: 'paused',
  stopped: 'stopped',
  exited: 'absent',
  removed: 'absent',
};

describe('e2e: lifecycle on real runc', function () {
  this.timeout(60_000);
  let s: Stack;
  before(async () => {
    s = await startStack('lifecycle');
  });
  after(async () => {
    await s?.close();
  });

  async function agrees(id: string, status: string): Promise<void> {
    const runc = await s.runc(id);
    expect(runc?.status ?? 'absent', `runc state for Berth status ${status}`).to.equal(RUNC_STATUS[status]);
  }

  it('walks configured -> created -> running -> paused -> running -> stopped -> exited -> removed, agreeing with runc', async () => {
    const c = await s.client.create({ name: 'walk', rootfs: s.rootfs, command: ['sleep', '1000'] });
    expect(c.State.Status).to.equal('configured');
    expect(c.Node).to.equal(s.node);
    await agrees(c.Id, 'configured');

    const created = await s.client.init('walk');
    expect(created.State.Status).to.equal('created');
    expect(created.State.Pid).to.be.greaterThan(0);
    await agrees(c.Id, 'created');

    const running = await s.client.start('walk');
    expect(running.State.Status).to.equal('running');
    expect(running.State.Running).to.equal(true);
    expect(running.State.StartedAt).to.not.equal('0001-01-01T00:00:00Z');
    const runc = await s.runc(c.Id);
    expect(runc).to.deep.equal({ status: 'running', pid: running.State.Pid });

    expect((await s.client.pause('walk')).State.Status).to.equal('paused');
    await agrees(c.Id, 'paused');
    expect((await s.client.unpause('walk')).State.Status).to.equal('running');
    await agrees(c.Id, 'running');

    // sleep is PID 1 and has no TERM handler: the stop ends in SIGKILL after the timeout
    const stopped = await s.client.stop('walk', { timeout: 0 });
    expect(stopped.State.Status).to.equal('exited');
    expect(stopped.State.ExitCode).to.equal(137);
    await agrees(c.Id, 'exited');

    const removed = await s.client.remove('walk');
    expect(removed.State.Status).to.equal('removed');
    await agrees(c.Id, 'removed');

    // the name is free at once; the record and its history are kept a while (Podman keeps exit codes 5 min)
    const history = await s.client.store.history(c.Id);
    expect(history.map((h) => `${h.from}->${h.to}`)).to.deep.equal([
      '->configured',
      'configured->created',
      'created->running',
      'running->paused',
      'paused->running',
      'running->stopping',
      'stopping->stopped',
      'stopped->exited',
      'exited->removing',
      'removing->removed',
    ]);
    for (const h of history) {
      expect(h.node).to.equal(s.node);
      expect(h.ms).to.be.a('number').and.at.least(0);
    }
    expect(await s.runcList()).to.not.include(c.Id);
  });

  it('captures exit code 7 and returns it from wait', async () => {
    const c = await s.client.create({ name: 'seven', rootfs: s.rootfs, command: ['sh', '-c', 'exit 7'] });
    const waiting = s.client.wait('seven');
    await s.client.start('seven');
    expect(await waiting).to.equal(7);
    const after = await s.client.inspect(c.Id);
    expect(['stopped', 'exited']).to.include(after.State.Status);
    expect(after.State.ExitCode).to.equal(7);
    expect(await s.client.wait('seven'), 'wait on a stopped container returns at once').to.equal(7);
  });

  it('stop -t 1 of a process that ignores SIGTERM ends by SIGKILL after about 1 s (137)', async () => {
    await s.client.create({ name: 'stubborn', rootfs: s.rootfs, command: ['sh', '-c', 'trap "" TERM; while :; do sleep 0.1; done'] });
    await s.client.start('stubborn');
    const t0 = Date.now();
    const stopped = await s.client.stop('stubborn', { timeout: 1 });
    const took = Date.now() - t0;
    expect(stopped.State.ExitCode).to.equal(137);
    expect(took).to.be.within(900, 5000);
    const history = await s.client.history('stubborn');
    expect(history.find((h) => h.to === 'stopped')?.command).to.equal('exited');
  });

  it('a kill during the stop grace period escalates at once', async () => {
    await s.client.create({ name: 'escalate', rootfs: s.rootfs, command: ['sh', '-c', 'trap "" TERM; while :; do sleep 0.1; done'] });
    await s.client.start('escalate');
    const t0 = Date.now();
    const stop = await s.client.enqueue('escalate', 'stop', { timeout: 60 });
    const kill = await s.client.enqueue('escalate', 'kill', { signal: 'KILL' });
    // the stop job completes in `stopping` without holding the queue for 60 s: the kill gets through
    expect((await stop.result()).State.Status).to.equal('stopping');
    expect((await kill.result()).State.Status).to.equal('stopping');
    expect(await s.client.wait('escalate')).to.equal(137);
    expect(Date.now() - t0).to.be.below(20_000);
  });

  it('applies 50 commands queued at once for one container in queue order', async () => {
    await s.client.create({ name: 'order', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start('order');
    const queued = [];
    for (let i = 0; i < 25; i++) {
      queued.push(await s.client.enqueue('order', 'pause'));
      queued.push(await s.client.enqueue('order', 'unpause'));
    }
    const results = await Promise.all(queued.map((q) => q.result()));
    results.forEach((r, i) => expect(r.State.Status, `command ${i}`).to.equal(i % 2 === 0 ? 'paused' : 'running'));
    const versions = results.map((r) => r.Version);
    expect(versions).to.deep.equal([...versions].sort((a, b) => a - b));
    const history = (await s.client.history('order')).filter((h) => h.command === 'pause' || h.command === 'unpause');
    expect(history).to.have.length(50);
    history.forEach((h, i) => expect(h.command).to.equal(i % 2 === 0 ? 'pause' : 'unpause'));
    await s.client.remove('order', { force: true, timeout: 0 });
  });

  it('drives 20 containers concurrently and every one ends right', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `many-${i}`);
    await Promise.all(
      names.map(async (name, i) => {
        await s.client.create({ name, rootfs: s.rootfs, command: ['sh', '-c', `trap "exit ${i}" TERM; while :; do sleep 0.05; done`] });
        await s.client.start(name);
        await s.client.pause(name);
        await s.client.unpause(name);
        const stopped = await s.client.stop(name, { timeout: 10 });
        expect(stopped.State.ExitCode, name).to.equal(i);
        await s.client.remove(name);
      }),
    );
    const left = await s.runcList();
    for (const name of names) expect(await s.client.inspect(name).catch((e: Error) => e.message)).to.match(/no such container/);
    expect(left.filter((id) => id.length === 64)).to.have.length(0);
  });

  it('rm -f -t 0 kills a running container at once and leaves nothing in runc', async () => {
    const c = await s.client.create({ name: 'forced', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start('forced');
    const removed = await s.client.remove('forced', { force: true, timeout: 0 });
    expect(removed.State.Status).to.equal('removed');
    expect(await s.runc(c.Id)).to.equal(null);
  });

  it('restart stops and starts again: a new pid, running', async () => {
    await s.client.create({ name: 'again', rootfs: s.rootfs, command: ['sleep', '1000'] });
    const first = await s.client.start('again');
    const second = await s.client.restart('again', { timeout: 0 });
    expect(second.State.Status).to.equal('running');
    expect(second.State.Pid).to.not.equal(first.State.Pid);
    const runc = await s.runc(second.Id);
    expect(runc).to.deep.equal({ status: 'running', pid: second.State.Pid });
    await s.client.remove('again', { force: true, timeout: 0 });
  });
});
