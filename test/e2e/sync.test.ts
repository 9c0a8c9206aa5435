/**
 * `berth sync` (client.sync) end to end on real runc and conmon, through the queue: runc is driven
 * directly, behind Berth's back, and a sync brings Berth's state back to what runc says.
 *
 * To show that a sync reads conmon's exit file itself, the worker's exit monitor holds back the
 * exits of the containers a test names (they reach the test, not the worker): the test waits for
 * conmon to have recorded the exit (no sleeping, and runc surely reports the process gone), then
 * syncs, and only then lets the monitor's report of the same exit in, to see it change nothing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { createLogger } from '../../src/log.js';
import { ExitDirMonitor, type ExitMonitor, type ExitRecord } from '../../src/oci/index.js';
import { ExitDelivery } from '../../src/queue/exits.js';
import type { Waker } from '../../src/queue/waker.js';
import { RUNC, settled, startStack, type Stack } from '../helpers/stack.js';

/** The worker's ExitDirMonitor, except that the exits of held ids go to the test instead. */
class HoldingMonitor implements ExitMonitor {
  private readonly inner: ExitDirMonitor;
  private readonly held = new Set<string>();
  private readonly kept: ExitRecord[] = [];
  private readonly waiters: { id: string; resolve: (e: ExitRecord) => void }[] = [];

  constructor(dir: string) {
    this.inner = new ExitDirMonitor(dir);
  }

  start(onExit: (exit: ExitRecord) => void): Promise<void> {
    return this.inner.start((exit) => (this.held.has(exit.id) ? this.keep(exit) : onExit(exit)));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  hold(id: string): void {
    this.held.add(id);
  }

  /** The first exit of held `id` that conmon recorded and the worker was not told of. */
  next(id: string): Promise<ExitRecord> {
    const i = this.kept.findIndex((e) => e.id === id);
    if (i >= 0) return Promise.resolve(this.kept.splice(i, 1)[0]!);
    return new Promise((resolve) => this.waiters.push({ id, resolve }));
  }

  private keep(exit: ExitRecord): void {
    const i = this.waiters.findIndex((w) => w.id === exit.id);
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(exit);
    else this.kept.push(exit);
  }
}

const NO_EXIT = 'container exit code could not be retrieved: no exit was recorded';

describe('e2e: sync re-reads runc', function () {
  this.timeout(60_000);
  let s: Stack;
  let monitor: HoldingMonitor;
  before(async () => {
    s = await startStack('sync', { monitor: (dir) => (monitor = new HoldingMonitor(dir)) });
  });
  after(async () => {
    await s?.close();
  });

  const runc = (...args: string[]) => execa(RUNC, ['--root', s.root, ...args]);

  async function running(name: string): Promise<string> {
    const c = await s.client.create({ name, rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(name);
    return c.Id;
  }

  it('a container killed behind Berth’s back shows stopped with 137, read from conmon’s exit file; the monitor’s late report changes nothing', async () => {
    const id = await running('killed');
    monitor.hold(id);
    await runc('kill', id, 'KILL');
    const recorded = await monitor.next(id); // conmon has recorded it; the worker has not heard
    expect(recorded).to.include({ code: 137, run: 1 });

    const synced = await s.client.sync('killed');
    expect(synced.State).to.include({ Status: 'stopped', ExitCode: 137, FinishedAt: recorded.at, Pid: 0, Error: '' });

    // the monitor's report of the same exit arrives late, by the path the worker's delivery takes:
    // into the mailbox (a later command applies it first), where it finds the run ended
    let late = 0;
    const delivery = new ExitDelivery(s.client.store, { wake: (_id: string, seq: number) => void (late = seq) } as unknown as Waker, createLogger({ level: 'silent' }));
    await delivery.onExit(recorded);
    expect(late, 'queued').to.be.greaterThan(0);
    await settled(s.client, 'killed', 'exited');
    const after = await s.client.sync('killed'); // applied after the late exit
    expect(after.State).to.include({ Status: 'exited', ExitCode: 137, FinishedAt: recorded.at });
    expect(JSON.parse((await s.client.store.result(id, late)) ?? '{}')).to.include({ ok: true, ignored: true });
    const history = await s.client.history('killed');
    expect(history.filter((h) => h.to === 'stopped').map((h) => `${h.from}->${h.to} by ${h.command}`)).to.deep.equal(['running->stopped by sync']);
  });

  it('the other way round: an exit the monitor reported first is left as it is by a sync', async () => {
    const id = await running('reported');
    await runc('kill', id, 'KILL');
    await settled(s.client, 'reported', 'exited');
    const synced = await s.client.sync('reported');
    expect(synced.State).to.include({ Status: 'exited', ExitCode: 137 });
    const history = await s.client.history('reported');
    expect(history.filter((h) => h.to === 'stopped').map((h) => h.command)).to.deep.equal(['exited']);
  });

  it('a container runc no longer knows, with no exit recorded (its conmon killed), shows stopped with -1 and State.Error', async () => {
    const id = await running('vanished');
    const conmon = Number(await readFile(join(s.stateDir, 'bundles', id, 'conmon.pid'), 'utf8'));
    process.kill(conmon, 'SIGKILL'); // nobody left to record the exit
    await runc('delete', '--force', id);
    expect(await s.runc(id)).to.equal(null);

    const synced = await s.client.sync('vanished');
    expect(synced.State).to.include({ Status: 'stopped', ExitCode: -1, Pid: 0, Error: NO_EXIT });
    expect(synced.State.FinishedAt).to.not.equal('0001-01-01T00:00:00Z');
    // its cleanup finds nothing left in runc, and the container can be started again
    await settled(s.client, 'vanished', 'exited');
    expect((await s.client.start('vanished')).State).to.include({ Status: 'running', ExitCode: 0, Error: '' });
    await s.client.remove('vanished', { force: true, timeout: 0 });
  });

  it('runc pause behind Berth’s back shows paused after a sync; runc resume, running again', async () => {
    const id = await running('frozen');
    await runc('pause', id);
    expect((await s.client.inspect('frozen')).State.Status, 'Berth has not looked yet').to.equal('running');
    expect((await s.client.sync('frozen')).State).to.include({ Status: 'paused', Paused: true });
    expect((await s.client.unpause('frozen')).State.Status, 'and Berth can unpause it').to.equal('running');
    await runc('pause', id);
    await s.client.sync('frozen');
    await runc('resume', id);
    expect((await s.client.sync('frozen')).State).to.include({ Status: 'running', Running: true });
    expect(await s.runc(id)).to.include({ status: 'running' });
    const history = await s.client.history('frozen');
    expect(history.filter((h) => h.command === 'sync').map((h) => `${h.from}->${h.to}`)).to.deep.equal(['running->paused', 'running->paused', 'paused->running']);
    await s.client.remove('frozen', { force: true, timeout: 0 });
  });

  it('a created container runc started behind Berth’s back shows running; an unchanged one succeeds and stays', async () => {
    const c = await s.client.create({ name: 'started', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.init('started');
    expect((await s.client.sync('started')).State.Status, 'nothing changed').to.equal('created');
    await runc('start', c.Id);
    const synced = await s.client.sync('started');
    expect(synced.State).to.include({ Status: 'running', Pid: (await s.runc(c.Id))?.pid });
    expect(synced.State.StartedAt).to.not.equal('0001-01-01T00:00:00Z');
    await s.client.remove('started', { force: true, timeout: 0 });
  });

  it('configured and exited have nothing to re-read: the sync succeeds and leaves them', async () => {
    await s.client.create({ name: 'idle', rootfs: s.rootfs, command: ['true'] });
    expect((await s.client.sync('idle')).State.Status).to.equal('configured');
    const removed = await s.client.remove('idle');
    expect(removed.State.Status).to.equal('removed');
  });
});
