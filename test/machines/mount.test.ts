/**
 * `mount` / `unmount` in the container machine (the seed's Mount and Unmount, LIFECYCLE.md §2.9),
 * through the pure step(): the count in the context; out of the runtime (configured, exited) a
 * mount runs ociMount and an unmount of the last mount runs ociUnmount; where the runtime holds
 * the root they only count; unmount refused while running or paused, with exec sessions, or with
 * only the runtime's own mount (each in the seed's words); cleanup keeps the overlay while a mount
 * is counted; a reboot forgets the count; v6 snapshots read with a count of 0.
 */
import { expect } from 'chai';
import { accepts, positionOf, step } from '../../src/actors/step.js';
import { hydrateSnapshot, serializeSnapshot, type ContainerSnapshot } from '../../src/actors/snapshot.js';
import { commandRefusal } from '../../src/actors/refusal.js';
import { commandToEvent, events, MACHINE_VERSION, migrateContext } from '../../src/machines/index.js';
import { AT, reach, settle, type Ev } from './support.js';

const mount = events.mount() as Ev;
const unmount = (force = false) => events.unmount(force) as Ev;
const path = (s: ContainerSnapshot) => positionOf(s).path;
const refusal = (s: ContainerSnapshot, command: string) => {
  const e = commandRefusal(s, 'web', command, positionOf(s).status);
  return `${e.code}: ${e.message}`;
};
const ctx = { stopTimeout: 10, timers: {} };

describe('container machine: mount and unmount', () => {
  it('out of the runtime: mount runs ociMount, then counts; the last unmount runs ociUnmount', () => {
    for (const state of ['configured', 'exited']) {
      const r = step(reach(state), mount);
      expect(path(r.snapshot), state).to.equal(`${state}.mounting`);
      expect(r.effects.filter((e) => e.kind === 'call').map((e) => e.kind === 'call' && e.call)).to.deep.equal(['ociMount']);
      const once = settle(reach(state), mount);
      expect(once.snapshot.context.mounts).to.equal(1);
      const twice = settle(once.snapshot, mount);
      expect(twice.calls, 'mounting again is idempotent: ociMount again').to.deep.equal(['ociMount']);
      expect(twice.snapshot.context.mounts).to.equal(2);
      const dropOne = settle(twice.snapshot, unmount());
      expect(dropOne.calls, 'one mount left: nothing unmounted').to.deep.equal([]);
      expect(dropOne.snapshot.context.mounts).to.equal(1);
      const last = settle(dropOne.snapshot, unmount());
      expect(last.calls).to.deep.equal(['ociUnmount']);
      expect(last.snapshot.context.mounts).to.equal(0);
      expect(path(last.snapshot)).to.equal(`${state}.idle`);
      // nothing mounted: nothing to do, as Podman (ociUnmount is idempotent)
      expect(settle(last.snapshot, unmount()).snapshot.context.mounts).to.equal(0);
      // force drops every counted mount
      expect(settle(twice.snapshot, unmount(true))).to.deep.include({ calls: ['ociUnmount'] });
    }
  });

  it('a failed ociMount counts nothing and records the error', () => {
    const r = settle(reach('configured'), mount, 'ociMount');
    expect(r.snapshot.context).to.include({ mounts: 0, error: 'runc failed: ociMount' });
    expect(path(r.snapshot)).to.equal('configured.idle');
  });

  it('where the runtime holds the root, mount only counts (no call); running and paused refuse unmount', () => {
    for (const state of ['created', 'running', 'paused', 'stopping', 'stopped']) {
      const r = settle(reach(state), mount);
      expect(r.calls, state).to.deep.equal([]);
      expect(r.snapshot.context.mounts, state).to.equal(1);
      expect(positionOf(r.snapshot).status, state).to.equal(state);
    }
    for (const state of ['running', 'paused']) {
      const held = settle(reach(state), mount).snapshot;
      expect(accepts(held, unmount()), state).to.equal(false);
      expect(accepts(held, unmount(true)), state).to.equal(false);
      expect(refusal(held, 'unmount')).to.equal('ECTRSTATE: cannot unmount storage for container web as it is running or paused');
    }
  });

  it("created, stopping, stopped: an unmount drops a counted mount; with none, the runtime's own is still in use (unless forced)", () => {
    for (const state of ['created', 'stopping', 'stopped']) {
      expect(accepts(reach(state), unmount()), state).to.equal(false);
      expect(refusal(reach(state), 'unmount')).to.equal("EINTERNAL: can't unmount web last mount, it is still in use");
      expect(settle(reach(state), unmount(true)).calls, `${state} forced: the runtime's mount stays`).to.deep.equal([]);
      const held = settle(reach(state), mount).snapshot;
      const dropped = settle(held, unmount());
      expect(dropped.calls).to.deep.equal([]);
      expect(dropped.snapshot.context.mounts).to.equal(0);
    }
  });

  it('exec sessions refuse an unmount (the seed\'s words)', () => {
    const running = reach('running');
    const session = 'a'.repeat(64);
    const execd = settle(running, events.exec({ session, command: ['sleep', '9'], env: [], workdir: '', user: '', tty: false, stdin: false }) as Ev).snapshot;
    const mounted = settle(execd, mount).snapshot;
    const stopped = settle(mounted, events.exited(0, AT) as Ev).snapshot;
    expect(positionOf(stopped).status).to.equal('stopped');
    expect(stopped.context.mounts).to.equal(1);
    expect(accepts(stopped, unmount())).to.equal(false);
    expect(refusal(stopped, 'unmount')).to.equal('ECTRSTATE: container web has active exec sessions, refusing to unmount');
  });

  it('cleanup keeps the overlay while a mount is counted (ociDelete keepStorage); rm and a refused mount of a removing one', () => {
    const stopped = reach('stopped');
    const plain = step(stopped, events.cleanup() as Ev).effects.find((e) => e.kind === 'call');
    expect(plain).to.deep.include({ call: 'ociDelete', input: { force: true, keepStorage: false } });
    const held = settle(stopped, mount).snapshot;
    const kept = step(held, events.cleanup() as Ev).effects.find((e) => e.kind === 'call');
    expect(kept).to.deep.include({ call: 'ociDelete', input: { force: true, keepStorage: true } });
    const exited = settle(held, events.cleanup() as Ev).snapshot;
    expect(positionOf(exited).status).to.equal('exited');
    expect(exited.context.mounts, 'the count survives the cleanup').to.equal(1);
    // a created one's cleanup (back to configured) too
    const created = settle(reach('created'), mount).snapshot;
    expect(step(created, events.cleanup() as Ev).effects.find((e) => e.kind === 'call')).to.deep.include({ input: { force: true, keepStorage: true } });
    for (const state of ['removing', 'removed', 'unknown']) expect(accepts(reach(state), mount), state).to.equal(false);
    expect(refusal(reach('removing'), 'mount')).to.equal('ECTRSTATE: cannot mount container web as it is being removed');
  });

  it('a reboot forgets the count (the overlay is gone); a v6 snapshot reads with a count of 0', () => {
    const held = settle(settle(reach('exited'), mount).snapshot, mount).snapshot;
    expect(held.context.mounts).to.equal(2);
    const refreshed = settle(settle(reach('running'), mount).snapshot, events.refresh('rebooted') as Ev).snapshot;
    expect(refreshed.context.mounts).to.equal(0);
    expect(MACHINE_VERSION).to.equal('7');
    const json = JSON.parse(serializeSnapshot(held)) as { version: string; snapshot: { context: Record<string, unknown> } };
    delete json.snapshot.context['mounts'];
    json.version = '6';
    expect(hydrateSnapshot(JSON.stringify(json), 'old').context.mounts).to.equal(0);
    expect(migrateContext('5', { run: 1 })).to.deep.include({ mounts: 0, healthcheck: null });
  });

  it('the command table: mount takes nothing, unmount an optional boolean force', () => {
    expect(commandToEvent('mount', {}, ctx)).to.deep.equal({ ok: true, event: { type: 'cmd.mount' } });
    expect(commandToEvent('unmount', {}, ctx)).to.deep.equal({ ok: true, event: { type: 'cmd.unmount', force: false } });
    expect(commandToEvent('unmount', { force: true }, ctx)).to.deep.equal({ ok: true, event: { type: 'cmd.unmount', force: true } });
    expect(commandToEvent('unmount', { force: 'yes' }, ctx).ok).to.equal(false);
  });
});
