/**
 * The machine's checkpoint, restore and post-reboot refresh (container-checkpoint.ts), pure: each
 * runtime call answered by the test. The seed's state rules, what each leaves in the context, and
 * how a version 5 snapshot reads in version 6.
 */
import { expect } from 'chai';
import { accepts, positionOf, step } from '../../src/actors/step.js';
import { hydrateSnapshot, serializeSnapshot, type ContainerSnapshot } from '../../src/actors/snapshot.js';
import { events } from '../../src/machines/index.js';
import { podmanEventOf } from '../../src/machines/podman-events.js';
import { AT, reach, settle, type Ev } from './support.js';

const ckpt = (o: Partial<{ keep: boolean; leaveRunning: boolean; tcpEstablished: boolean; export: string }> = {}) =>
  events.checkpoint({ keep: false, leaveRunning: false, tcpEstablished: false, export: '', ...o }) as Ev;
const rest = (o: Partial<{ keep: boolean; tcpEstablished: boolean; import: string }> = {}) => events.restore({ keep: false, tcpEstablished: false, import: '', ...o }) as Ev;
const path = (s: ContainerSnapshot) => {
  const p = positionOf(s);
  return p.activity ? `${p.status}.${p.activity}` : p.status;
};
const REASON = 'reset after a reboot of node n1 (its boot id changed): the container was running';

describe('machines/container: checkpoint, restore and refresh', () => {
  it('checkpoint only a running container; restore only a configured or exited one', () => {
    const states = ['configured', 'created', 'running', 'paused', 'stopping', 'stopped', 'exited', 'unknown'];
    expect(states.filter((s) => accepts(reach(s), ckpt()))).to.deep.equal(['running']);
    expect(states.filter((s) => accepts(reach(s), rest()))).to.deep.equal(['configured', 'exited']);
  });

  it('a checkpoint calls ociCheckpoint with its options, then the process is gone: cleaned up, exited, Checkpointed', () => {
    const r = step(reach('running'), ckpt({ export: '/tmp/c.tar', tcpEstablished: true }));
    expect(path(r.snapshot)).to.equal('running.checkpointing');
    expect(r.effects).to.deep.include({ kind: 'call', id: 'checkpoint', call: 'ociCheckpoint', input: { keep: false, leaveRunning: false, tcpEstablished: true, export: '/tmp/c.tar' } });
    const after = settle(r.snapshot, events.done('checkpoint', { at: AT }) as Ev);
    expect(after.calls).to.deep.equal(['ociDelete']);
    expect(path(after.snapshot)).to.equal('exited');
    expect(after.snapshot.context).to.include({ checkpointed: true, checkpointedAt: AT, pid: 0, exited: true, exitCode: 0 });
  });

  it('with --leave-running it runs on, Checkpointed; a failed one leaves it running with the error', () => {
    const kept = step(step(reach('running'), ckpt({ leaveRunning: true })).snapshot, events.done('checkpoint', { at: AT, leftRunning: true }) as Ev);
    expect(path(kept.snapshot)).to.equal('running');
    expect(kept.snapshot.context).to.include({ checkpointed: true, pid: 42 });
    const failed = settle(reach('running'), ckpt(), 'ociCheckpoint');
    expect(path(failed.snapshot)).to.equal('running');
    expect(failed.snapshot.context).to.include({ checkpointed: false, error: 'runc failed: ociCheckpoint' });
  });

  it('a restore makes a new run under ociRestore and ends running, Restored; a failed one stays where it was', () => {
    const exited = reach('exited');
    const r = step(exited, rest({ import: '/tmp/c.tar', keep: true }));
    expect(path(r.snapshot)).to.equal('exited.restoring');
    expect(r.effects).to.deep.include({ kind: 'call', id: 'restore', call: 'ociRestore', input: { run: exited.context.run + 1, keep: true, tcpEstablished: false, import: '/tmp/c.tar' } });
    const done = step(r.snapshot, events.done('restore', { pid: 77, at: AT }) as Ev);
    expect(path(done.snapshot)).to.equal('running');
    expect(done.snapshot.context).to.include({ run: exited.context.run + 1, pid: 77, startedAt: AT, restored: true, restoredAt: AT, checkpointed: false, exited: false });
    const failed = settle(reach('configured'), rest(), 'ociRestore');
    expect(path(failed.snapshot)).to.equal('configured');
    expect(failed.snapshot.context.error).to.equal('runc failed: ociRestore');
  });

  it('refresh: running, paused, stopping and stopped end exited; created and unknown configured; the reason kept, ociRefresh run', () => {
    const ends = Object.fromEntries(
      ['running', 'paused', 'stopping', 'stopped', 'created', 'unknown'].map((s) => {
        const r = settle(reach(s), events.refresh(REASON) as Ev);
        return [s, { path: path(r.snapshot), calls: r.calls, pid: r.snapshot.context.pid, error: r.snapshot.context.error }];
      }),
    );
    for (const s of ['running', 'paused', 'stopping', 'stopped']) expect(ends[s], s).to.deep.equal({ path: 'exited', calls: ['ociRefresh'], pid: 0, error: REASON });
    for (const s of ['created', 'unknown']) expect(ends[s], s).to.deep.equal({ path: 'configured', calls: ['ociRefresh'], pid: 0, error: REASON });
    // nothing to reset where nothing is in the runtime
    for (const s of ['configured', 'exited', 'removed']) expect(accepts(reach(s), events.refresh(REASON) as Ev), s).to.equal(false);
    // a stop's deadline goes with the stop
    expect(step(reach('stopping'), events.refresh(REASON) as Ev).effects).to.deep.include({ kind: 'cancel', id: 'stopDeadline' });
  });

  it('refresh ends running exec sessions and clears the checkpoint marks and the restart count', () => {
    const sid = 'a'.repeat(64);
    let s = settle(reach('running'), events.exec({ session: sid, command: ['sh'], env: [], workdir: '', user: '', tty: false, stdin: false }) as Ev).snapshot;
    s = step(step(s, ckpt({ leaveRunning: true })).snapshot, events.done('checkpoint', { at: AT, leftRunning: true }) as Ev).snapshot;
    expect(s.context.checkpointed).to.equal(true);
    const r = settle(s, events.refresh(REASON) as Ev).snapshot;
    expect(r.context.execs[sid]).to.include({ running: false, exitCode: -1, error: REASON });
    expect(r.context).to.include({ checkpointed: false, checkpointedAt: null, restartCount: 0, execStarting: null });
  });

  it('a version 5 snapshot reads as version 6: never checkpointed nor restored', () => {
    const v6 = JSON.parse(serializeSnapshot(reach('running'))) as { version: string; snapshot: { context: Record<string, unknown> } };
    for (const k of ['checkpointed', 'checkpointedAt', 'restored', 'restoredAt']) delete v6.snapshot.context[k];
    const s = hydrateSnapshot(JSON.stringify({ ...v6, version: '5' }), 'c1');
    expect(s.context).to.include({ checkpointed: false, checkpointedAt: null, restored: false, restoredAt: null });
    expect(path(step(s, ckpt()).snapshot)).to.equal('running.checkpointing');
  });

  it("shows as Podman's checkpoint and restore events, once each; a refresh has no Podman event", () => {
    const ev = (command: string, from: string, to: string) => podmanEventOf({ command, from, to });
    expect(ev('checkpoint', 'running.idle', 'running.checkpointing')).to.equal(null);
    expect(ev('checkpoint', 'running.checkpointing', 'stopped.cleaning')).to.equal('checkpoint');
    expect(ev('checkpoint', 'running.checkpointing', 'running.idle')).to.equal('checkpoint');
    expect(ev('checkpoint', 'stopped.cleaning', 'exited.idle')).to.equal('cleanup');
    expect(ev('restore', 'exited.idle', 'exited.restoring')).to.equal(null);
    expect(ev('restore', 'exited.restoring', 'running.idle')).to.equal('restore');
    expect(ev('refresh', 'running.idle', 'exited.refreshing')).to.equal(null);
  });
});
