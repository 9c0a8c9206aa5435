/**
 * `sync` (LIFECYCLE.md §2.15): every state Berth may hold, times everything `runc state` may say,
 * through the pure step(). The ociSync call is answered by hand with what it would have read.
 */
import { expect } from 'chai';
import { accepts, positionOf, step } from '../../src/actors/step.js';
import { hydrateSnapshot, serializeSnapshot, type ContainerSnapshot } from '../../src/actors/snapshot.js';
import { events, type Observed } from '../../src/machines/index.js';
import { AT, reach, S, settle, type Ev } from './support.js';

const READ_AT = '2026-11-28T00:00:09.000Z';
const NO_EXIT = 'container exit code could not be retrieved: no exit was recorded';

/** A sync of `from`, its ociSync call answered with `observed` (pid 77 while runc runs it). */
function sync(from: ContainerSnapshot, observed: Observed | 'fails') {
  const r1 = step(from, events.sync() as Ev);
  const call = r1.effects.find((e) => e.kind === 'call');
  expect(call, 'a sync reads the runtime').to.deep.include({ call: 'ociSync', input: { run: from.context.run } });
  const live = observed !== 'fails' && !['stopped', 'absent'].includes(observed.status);
  const fed =
    observed === 'fails'
      ? events.failed('sync', { code: 'EOCI', message: 'runc state failed: boom' })
      : events.done('sync', { at: READ_AT, observed, ...(live ? { pid: 77 } : {}) });
  const r2 = step(r1.snapshot, fed as Ev);
  return { during: positionOf(r1.snapshot).path, snapshot: r2.snapshot, path: rest(r2.snapshot), effects: r2.effects.map((e) => e.kind) };
}

/** Where a snapshot rests, `running` for running.idle. */
const rest = (snapshot: ContainerSnapshot) => positionOf(snapshot).path.replace(/\.idle$/, '');
const seen = (status: Observed['status'], exit: Observed['exit'] = null): Observed => ({ status, exit });
const KILLED = { code: 137, at: AT, oomKilled: false };

// Berth's state -> what runc says -> the state a sync leaves (paths at rest)
const TABLE: Record<string, Record<string, string>> = {
  //          runc: running          paused           created          creating            stopped / absent
  created: { running: 'running', paused: 'paused', created: 'created', creating: 'created', gone: 'stopped' },
  running: { running: 'running', paused: 'paused', created: 'created', creating: 'running', gone: 'stopped' },
  paused: { running: 'running', paused: 'paused', created: 'created', creating: 'paused', gone: 'stopped' },
  // a stop in progress goes on while the process is there; the deadline stays set
  stopping: { running: 'stopping.signalled', paused: 'stopping.signalled', created: 'stopping.signalled', creating: 'stopping.signalled', gone: 'stopped' },
  unknown: { running: 'running', paused: 'paused', created: 'created', creating: 'unknown', gone: 'stopped' },
};

describe('container machine: sync re-reads runc', () => {
  for (const [state, row] of Object.entries(TABLE)) {
    describe(`in ${state}`, () => {
      for (const status of ['running', 'paused', 'created', 'creating'] as const) {
        it(`runc ${status} -> ${row[status]}`, () => {
          const r = sync(reach(state), seen(status));
          expect(r.path).to.equal(row[status]);
          expect(r.snapshot.context.exited).to.equal(false);
          expect(r.effects).to.not.include('call');
        });
      }

      for (const gone of ['stopped', 'absent'] as const) {
        it(`runc ${gone}, conmon recorded 137 -> stopped with 137, cleanup requested`, () => {
          const r = sync(reach(state), seen(gone, KILLED));
          expect(r.path).to.equal('stopped');
          expect(r.snapshot.context).to.include({ exitCode: 137, finishedAt: AT, exited: true, pid: 0, error: reach(state).context.error });
          expect(r.effects).to.include('requestCleanup');
        });

        it(`runc ${gone}, no exit recorded -> stopped with -1 and State.Error`, () => {
          const r = sync(reach(state), seen(gone));
          expect(r.path).to.equal('stopped');
          expect(r.snapshot.context).to.include({ exitCode: -1, finishedAt: READ_AT, exited: true, pid: 0, error: NO_EXIT });
          expect(r.effects).to.include('requestCleanup');
        });
      }

      it('a failed read changes nothing but State.Error', () => {
        const before = reach(state);
        const r = sync(before, 'fails');
        expect(S(r.snapshot)).to.equal(S(before));
        expect(r.snapshot.context.error).to.equal('runc state failed: boom');
      });
    });
  }

  it('is in flight as <state>.syncing, still the same State.Status', () => {
    expect(sync(reach('running'), seen('running')).during).to.equal('running.syncing');
    expect(sync(reach('unknown'), seen('running')).during).to.equal('unknown.syncing');
    expect(sync(reach('stopping'), seen('running')).during).to.equal('stopping.syncing');
  });

  it('configured, stopped and exited have nothing to re-read: accepted, no call, nothing changes', () => {
    for (const state of ['configured', 'stopped', 'exited']) {
      const before = reach(state);
      expect(accepts(before, events.sync() as Ev), state).to.equal(true);
      const r = step(before, events.sync() as Ev);
      expect(r.effects, state).to.deep.equal([]);
      expect(serializeSnapshot(r.snapshot), state).to.equal(serializeSnapshot(before));
    }
  });

  it('removing and removed refuse it', () => {
    for (const state of ['removing', 'removed']) expect(accepts(reach(state), events.sync() as Ev), state).to.equal(false);
  });

  it('a container runc started behind Berth’s back (created -> running) gets its pid and StartedAt', () => {
    const r = sync(reach('created'), seen('running'));
    expect(r.snapshot.context).to.include({ pid: 77, startedAt: READ_AT });
    const resumed = sync(reach('paused'), seen('running'));
    expect(resumed.snapshot.context.startedAt, 'a resume is not a start').to.equal(AT);
  });

  it('a gone process during a stop ends the stop: the deadline is cancelled', () => {
    const waiting = reach('stopping');
    expect(positionOf(waiting).path).to.equal('stopping.waiting');
    const r = sync(waiting, seen('absent', KILLED));
    expect(r.effects).to.include('cancel');
    const still = sync(waiting, seen('running'));
    expect(still.effects, 'a process still there keeps its deadline').to.not.include('cancel');
    expect(accepts(still.snapshot, events.deadline('timer.stop', still.snapshot.context.stops) as Ev)).to.equal(true);
  });

  it('a gone process during a restart’s stop starts it again, as its exit would', () => {
    const restarting = settle(reach('running'), events.restart(10) as Ev).snapshot;
    const r = sync(restarting, seen('stopped', { code: 143, at: AT, oomKilled: false }));
    expect(r.path).to.equal('stopped.cleaning');
    const { snapshot, calls } = settle(r.snapshot, events.done('delete') as Ev);
    expect(calls).to.deep.equal(['ociCreate', 'ociStart']);
    expect(S(snapshot)).to.equal('running');
  });

  it('the exit is recorded once: a sync then the monitor’s report of the same exit, or the other way round', () => {
    const running = reach('running');
    const run = running.context.run;
    // the sync found it first: the monitor's exit of that run is no longer taken, nor after the cleanup
    const synced = sync(running, seen('stopped', KILLED)).snapshot;
    const monitor = events.exited(137, AT, false, run) as Ev;
    expect(accepts(synced, monitor)).to.equal(false);
    expect(accepts(settle(synced, events.cleanup() as Ev).snapshot, monitor)).to.equal(false);
    // the monitor first: the sync that follows reads nothing and leaves the exit as recorded
    const exited = step(running, monitor).snapshot;
    const after = step(exited, events.sync() as Ev);
    expect(after.effects).to.deep.equal([]);
    expect(after.snapshot.context).to.include({ exitCode: 137, exited: true, error: '' });
  });

  it('a snapshot of version 2 in unknown (no children then) reads as unknown.idle and takes a sync', () => {
    const envelope = JSON.parse(serializeSnapshot(reach('unknown'))) as { version: string; snapshot: { value: unknown } };
    const v2 = hydrateSnapshot(JSON.stringify({ ...envelope, version: '2', snapshot: { ...envelope.snapshot, value: 'unknown' } }), 'v2');
    expect(rest(v2)).to.equal('unknown');
    expect(accepts(v2, events.sync() as Ev)).to.equal(true);
    expect(sync(v2, seen('running')).path).to.equal('running');
  });
});
