/**
 * rm as Podman 4.3 behaves, through the real `berth` CLI against a worker on real runc: exit 2
 * for a running or paused container without -f, 1 for an unknown one (and then none is removed);
 * rm -f of a running container sends its stop signal first and SIGKILL only after the stop
 * timeout (-t overrides it), in that order, as runc and the container's own output show.
 */
import { expect } from 'chai';
import { berth, lines } from './run-cli.js';
import { startStack, type Stack } from '../helpers/stack.js';
import type { TransitionEvent } from '../../src/store/events.js';

/** PID 1 that says so on SIGTERM and goes on running: only SIGKILL ends it. */
const STUBBORN = ['sh', '-c', 'trap "echo got TERM" TERM; echo ready; while :; do sleep 0.1; done'];

describe('cli: rm as Podman 4 (exit codes, rm -f stops first)', function () {
  this.timeout(60_000);
  let s: Stack;
  const cli = (...args: string[]) => berth(['--redis', s.redis.url, ...args]);

  before(async () => {
    s = await startStack('cli-rm', { prefix: '{berth}' }); // the CLI's prefix, in a private Redis
  });
  after(async () => {
    await s?.close();
  });

  async function running(name: string, command = ['sleep', '1000'], stopTimeout?: number) {
    const c = await s.client.create({ name, rootfs: s.rootfs, command, ...(stopTimeout === undefined ? {} : { stopTimeout }) });
    await s.client.start(name);
    return c.Id;
  }

  /** Resolves once the container's output has a line `text` (it is running and has seen it). */
  async function outputLine(name: string, text: string): Promise<void> {
    for await (const line of s.client.logs(name, { follow: true })) if (line.text === text) return;
    expect.fail(`${name} ended without printing ${text}`);
  }

  it('rm of a running or a paused container without -f: exit 2, "container state improper", nothing removed', async () => {
    const web = await running('rm-running');
    const paused = await running('rm-paused');
    await s.client.pause('rm-paused');
    for (const [name, state] of [['rm-running', 'running'], ['rm-paused', 'paused']] as const) {
      const r = await cli('rm', name);
      expect(r.code, name).to.equal(2);
      expect(lines(r.stderr)).to.deep.equal([`Error: cannot remove container ${name} in state ${state}: container state improper`]);
    }
    expect((await s.runc(web))?.status).to.equal('running');
    expect((await s.runc(paused))?.status).to.equal('paused');
    await s.client.remove('rm-running', { force: true, timeout: 0 });
    await s.client.remove('rm-paused', { force: true });
  });

  it('rm of an unknown container: exit 1 in Podman 4 words; with a known one too, neither is removed', async () => {
    const r = await cli('rm', 'no-such-ctr');
    expect(r).to.deep.include({ code: 1, stdout: '' });
    expect(lines(r.stderr)).to.deep.equal(['Error: no container with name or ID "no-such-ctr" found: no such container']);
    const kept = await s.client.create({ name: 'rm-kept', rootfs: s.rootfs, command: ['true'] });
    const both = await cli('rm', 'rm-kept', 'no-such-ctr');
    expect(both).to.deep.include({ code: 1, stdout: '' });
    expect((await s.client.inspect('rm-kept')).Version, 'rm-kept untouched').to.equal(kept.Version);
    expect(await cli('rm', 'rm-kept')).to.deep.include({ code: 0, stdout: 'rm-kept' });
  });

  it('rm of a running and a configured container: the configured one is removed, exit 2 for the other, as Podman', async () => {
    const id = await running('rm-mixed-running');
    await s.client.create({ name: 'rm-mixed-new', rootfs: s.rootfs, command: ['true'] });
    const r = await cli('rm', 'rm-mixed-running', 'rm-mixed-new');
    expect(r).to.deep.include({ code: 2, stdout: 'rm-mixed-new' });
    expect((await s.runc(id))?.status).to.equal('running');
    await s.client.remove('rm-mixed-running', { force: true, timeout: 0 });
  });

  /**
   * The transitions of container `id` from `cursor` until it is removed, in order of version (one
   * each: waitFor may show an entry twice, from its catch-up read and from the live feed).
   */
  async function transitionsUntilRemoved(cursor: string, id: string): Promise<TransitionEvent[]> {
    const seen = new Map<number, TransitionEvent>();
    await s.client.eventFeed().waitFor(cursor, (e) => {
      if (e.id === id) seen.set(e.version, e);
      return e.id === id && e.state.State.Status === 'removed';
    });
    return [...seen.values()].sort((a, b) => a.version - b.version);
  }

  it('rm -f of a running container that ignores SIGTERM: the stop signal, then SIGKILL after its stop timeout', async () => {
    const id = await running('rm-stubborn', STUBBORN, 2);
    await outputLine('rm-stubborn', 'ready');
    const { cursor } = await s.client.store.readWithCursor(id);
    const order = transitionsUntilRemoved(cursor, id);
    const rm = cli('rm', '-f', 'rm-stubborn');
    await outputLine('rm-stubborn', 'got TERM');
    // the container has its stop signal and is still running: no SIGKILL yet
    const during = await s.client.inspect(id);
    expect(during.State).to.include({ Status: 'removing' });
    expect((await s.runc(id))?.status, 'runc: still running after SIGTERM').to.equal('running');
    expect(await rm).to.deep.include({ code: 0, stdout: 'rm-stubborn', stderr: '' });
    const steps = (await order).map((e) => `${e.to} (${e.command.split(/[ :]/)[0]})`);
    expect(steps).to.deep.equal(['removing.signalling (remove)', 'removing.waiting (remove)', 'removing.deleting (timer)', 'removed (timer)']);
    expect(await s.runc(id), 'runc has nothing left').to.equal(null);
    expect((await cli('inspect', 'rm-stubborn')).code).to.equal(125);
  });

  it('rm -f -t 1 overrides a long stop timeout; a container that exits on SIGTERM is removed at its exit', async () => {
    const stubborn = await running('rm-t1', STUBBORN, 600);
    await outputLine('rm-t1', 'ready');
    const first = await s.client.store.readWithCursor(stubborn);
    const order = transitionsUntilRemoved(first.cursor, stubborn);
    expect(await cli('rm', '-f', '-t', '1', 'rm-t1')).to.deep.include({ code: 0, stdout: 'rm-t1' });
    expect((await order).map((e) => e.to)).to.deep.equal(['removing.signalling', 'removing.waiting', 'removing.deleting', 'removed']);

    const polite = await running('rm-polite', ['sh', '-c', 'trap "exit 3" TERM; echo ready; while :; do sleep 0.1; done'], 600);
    await outputLine('rm-polite', 'ready');
    const second = await s.client.store.readWithCursor(polite);
    const politeOrder = transitionsUntilRemoved(second.cursor, polite);
    expect(await cli('rm', '-f', 'rm-polite')).to.deep.include({ code: 0, stdout: 'rm-polite' });
    const steps = await politeOrder;
    const deleting = steps.find((e) => e.to === 'removing.deleting');
    expect(deleting?.command, 'deleted at the exit, not at the deadline').to.match(/^exited/);
    expect(deleting?.state.State.ExitCode, 'the exit of the trap').to.equal(3);
    expect(await s.runc(polite)).to.equal(null);
  });

  it('rm -f -t 0 kills at once, as before; a bad -t is refused before anything is sent', async () => {
    const r = await cli('rm', '-f', '-t', 'soon', 'whatever');
    expect(r).to.deep.include({ code: 125, stdout: '' });
    expect(lines(r.stderr)).to.deep.equal(['Error: rm whatever: `-t` must be a whole number of seconds >= 0, got "soon"']);
    const id = await running('rm-now', STUBBORN, 600);
    const { cursor } = await s.client.store.readWithCursor(id);
    const order = transitionsUntilRemoved(cursor, id);
    expect(await cli('rm', '-f', '-t', '0', 'rm-now')).to.deep.include({ code: 0, stdout: 'rm-now' });
    expect((await order).map((e) => e.to)).to.deep.equal(['removing.deleting', 'removed']);
  });
});
