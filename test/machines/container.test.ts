/**
 * Every (state, command) pair of the container machine, as a table (shared/LIFECYCLE.md). Pure:
 * xstate's transition() only, no Redis, no runc. Allowed commands are run to rest, each runtime
 * call answered with success; refused ones must leave the snapshot exactly as it was.
 */
import { expect } from 'chai';
import { accepts, positionOf, step } from '../../src/actors/step.js';
import { hydrateSnapshot, serializeSnapshot } from '../../src/actors/snapshot.js';
import { events, MACHINE_VERSION } from '../../src/machines/index.js';
import { stateError } from '../../src/errors.js';
import { AT, reach, S, settle, type Ev } from './support.js';

const COMMANDS: Record<string, Ev> = {
  init: events.init() as Ev,
  start: events.start() as Ev,
  stop: events.stop(10) as Ev,
  kill: events.kill('SIGTERM') as Ev,
  pause: events.pause() as Ev,
  unpause: events.unpause() as Ev,
  restart: events.restart(10) as Ev,
  cleanup: events.cleanup() as Ev,
  rm: events.remove(false) as Ev,
  'rm -f': events.remove(true) as Ev,
  exited: events.exited(7, AT) as Ev,
  sync: events.sync() as Ev,
};

// expected status after the command settles; '-' = refused
const TABLE: Record<string, Record<string, string>> = {
  //            init       start      stop       kill       pause     unpause    restart    cleanup       rm         rm -f      exited     sync
  // (sync here reads nothing new from runc: its outcomes, by what runc says, are in sync.test.ts)
  configured: { init: 'created', start: 'running', stop: '-', kill: '-', pause: '-', unpause: '-', restart: 'running', cleanup: 'configured', rm: 'removed', 'rm -f': 'removed', exited: '-', sync: 'configured' },
  created: { init: '-', start: 'running', stop: 'stopping', kill: '-', pause: '-', unpause: '-', restart: 'running', cleanup: 'configured', rm: 'removed', 'rm -f': 'removed', exited: 'stopped', sync: 'created' },
  running: { init: '-', start: '-', stop: 'stopping', kill: 'running', pause: 'paused', unpause: '-', restart: 'stopping', cleanup: '-', rm: '-', 'rm -f': 'removed', exited: 'stopped', sync: 'running' },
  paused: { init: '-', start: '-', stop: '-', kill: 'paused', pause: '-', unpause: 'running', restart: '-', cleanup: '-', rm: '-', 'rm -f': 'removed', exited: 'stopped', sync: 'paused' },
  stopping: { init: '-', start: '-', stop: 'stopping', kill: 'stopping', pause: '-', unpause: '-', restart: '-', cleanup: '-', rm: '-', 'rm -f': 'removed', exited: 'stopped', sync: 'stopping' },
  stopped: { init: 'created', start: 'running', stop: '-', kill: '-', pause: '-', unpause: '-', restart: 'running', cleanup: 'exited', rm: 'removed', 'rm -f': 'removed', exited: '-', sync: 'stopped' },
  exited: { init: 'created', start: 'running', stop: '-', kill: '-', pause: '-', unpause: '-', restart: 'running', cleanup: 'exited', rm: 'removed', 'rm -f': 'removed', exited: '-', sync: 'exited' },
  removing: { init: '-', start: '-', stop: '-', kill: '-', pause: '-', unpause: '-', restart: '-', cleanup: '-', rm: 'removed', 'rm -f': 'removed', exited: '-', sync: '-' },
  unknown: { init: '-', start: '-', stop: '-', kill: '-', pause: '-', unpause: '-', restart: '-', cleanup: '-', rm: '-', 'rm -f': 'removed', exited: 'stopped', sync: 'unknown' },
  removed: { init: '-', start: '-', stop: '-', kill: '-', pause: '-', unpause: '-', restart: '-', cleanup: '-', rm: '-', 'rm -f': '-', exited: '-', sync: '-' },
};

describe('container machine: every (state, command) pair', () => {
  for (const [state, row] of Object.entries(TABLE)) {
    describe(`in ${state}`, () => {
      it('is reached', () => expect(S(reach(state))).to.equal(state));
      for (const [command, expected] of Object.entries(row)) {
        const event = COMMANDS[command]!;
        if (expected === '-') {
          it(`refuses ${command}, naming the command and state, snapshot unchanged`, () => {
            const before = reach(state);
            const json = serializeSnapshot(before);
            expect(accepts(before, event)).to.equal(false);
            const after = step(before, event);
            expect(serializeSnapshot(after.snapshot)).to.equal(json);
            expect(after.effects.filter((e) => e.kind === 'call')).to.deep.equal([]);
            const err = stateError('web', command, S(before));
            expect(err.message).to.contain(`cannot ${command} container web in state ${state}`);
            expect(['ECTRSTATE', 'ECTRSTOPPED', 'ECTRRUNNING']).to.include(err.code);
          });
        } else {
          it(`${command} -> ${expected}`, () => {
            const before = reach(state);
            expect(accepts(before, event)).to.equal(true);
            expect(S(settle(before, event).snapshot)).to.equal(expected);
          });
        }
      }
    });
  }
});

describe('container machine: rules', () => {
  it('start from configured runs create then start, and records pid and StartedAt', () => {
    const { snapshot, calls } = settle(reach('configured'), events.start() as Ev);
    expect(calls).to.deep.equal(['ociCreate', 'ociStart']);
    expect(snapshot.context).to.include({ pid: 42, startedAt: AT, run: 1 });
  });

  it('start from stopped re-inits: runc delete, create, start', () => {
    const { calls, snapshot } = settle(reach('stopped'), events.start() as Ev);
    expect(calls).to.deep.equal(['ociDelete', 'ociCreate', 'ociStart']);
    expect(snapshot.context.run).to.equal(2);
    expect(snapshot.context.exitCode, 'init resets ExitCode, as in Podman').to.equal(0);
  });

  it('an exit records the code, FinishedAt and pid 0, and asks for cleanup', () => {
    const r = step(reach('running'), events.exited(137, AT) as Ev);
    expect(S(r.snapshot)).to.equal('stopped');
    expect(r.snapshot.context).to.include({ exitCode: 137, finishedAt: AT, pid: 0, exited: true });
    expect(r.effects.map((e) => e.kind)).to.include('requestCleanup');
  });

  it('stop sends the stop signal and schedules the durable deadline; the deadline escalates to SIGKILL', () => {
    const r1 = step(reach('running'), events.stop(1) as Ev);
    const call = r1.effects.find((e) => e.kind === 'call');
    expect(call).to.deep.include({ call: 'ociKill', input: { signal: 'SIGTERM' } });
    const r2 = step(r1.snapshot, events.done('kill') as Ev);
    const timer = r2.effects.find((e) => e.kind === 'schedule');
    expect(timer).to.include({ delay: 1000 });
    const stops = r2.snapshot.context.stops;
    const r3 = step(r2.snapshot, { type: timer!.kind === 'schedule' ? timer!.event.type : '', stops } as Ev);
    expect(r3.effects.find((e) => e.kind === 'call')).to.deep.include({ call: 'ociKill', input: { signal: 'SIGKILL' } });
  });

  it('stop -t 0 sends SIGKILL at once, as Podman does: no stop signal, no deadline', () => {
    const r1 = step(reach('running'), events.stop(0) as Ev);
    expect(r1.effects.find((e) => e.kind === 'call')).to.deep.include({ call: 'ociKill', input: { signal: 'SIGKILL' } });
    const r2 = step(r1.snapshot, events.done('kill') as Ev);
    expect(positionOf(r2.snapshot).path).to.equal('stopping.signalled');
    expect(r2.effects.map((e) => e.kind)).to.not.include('schedule');
    expect(S(step(r2.snapshot, events.exited(137, AT) as Ev).snapshot)).to.equal('stopped');
  });

  it('a stale stop deadline (from an earlier stop) is ignored', () => {
    const r1 = settle(reach('running'), events.stop(5) as Ev).snapshot;
    const again = settle(r1, events.stop(5) as Ev).snapshot;
    expect(accepts(again, events.deadline('timer.stop', again.context.stops) as Ev), 'the current one applies').to.equal(true);
    expect(accepts(again, events.deadline('timer.stop', again.context.stops - 1) as Ev)).to.equal(false);
  });

  it('a signal sent during the grace period does not end it: SIGKILL still follows at the deadline', () => {
    // stop -t 1 of a process that ignores SIGTERM, then `kill -s SIGTERM` before the deadline
    const waiting = settle(reach('running'), events.stop(1) as Ev).snapshot;
    expect(positionOf(waiting).path).to.equal('stopping.waiting');
    const killed = settle(waiting, events.kill('SIGTERM') as Ev);
    expect(killed.calls).to.deep.equal(['ociKill']);
    expect(positionOf(killed.snapshot).path).to.equal('stopping.signalled');
    const deadline = events.deadline('timer.stop', killed.snapshot.context.stops) as Ev;
    expect(accepts(killed.snapshot, deadline)).to.equal(true);
    const r = step(killed.snapshot, deadline);
    expect(r.effects.find((e) => e.kind === 'call')).to.deep.include({ call: 'ociKill', input: { signal: 'SIGKILL' } });
    const done = settle(r.snapshot, events.done('kill') as Ev).snapshot;
    expect(S(step(done, events.exited(137, AT, false, 1) as Ev).snapshot)).to.equal('stopped');
  });

  it('the deadline reaches every sub-state of a stop, and leaving the stop cancels it', () => {
    const signalled = settle(settle(reach('running'), events.stop(1) as Ev).snapshot, events.kill('SIGKILL') as Ev).snapshot;
    expect(accepts(signalled, events.deadline('timer.stop', signalled.context.stops) as Ev)).to.equal(true);
    const r = step(signalled, events.exited(137, AT, false, 1) as Ev);
    expect(r.effects.map((e) => e.kind)).to.include('cancel');
    const noGrace = step(settle(reach('running'), events.stop(0) as Ev).snapshot, events.exited(137, AT, false, 1) as Ev);
    expect(noGrace.effects.map((e) => e.kind), 'stop -t 0 set no deadline, so cancels none').to.not.include('cancel');
  });

  it('a re-stop cancels the deadline of the stop it replaces (by timer id; the version it names: test/actors/timers.test.ts)', () => {
    const first = settle(reach('running'), events.stop(5) as Ev).snapshot;
    const r = step(first, events.stop(5) as Ev);
    expect(r.effects.find((e) => e.kind === 'cancel')).to.deep.equal({ kind: 'cancel', id: 'stopDeadline' });
    expect(r.snapshot.context.stops).to.equal(first.context.stops + 1);
  });

  it('a snapshot and a delayed deadline of machine version 1 still read and apply', () => {
    const current = settle(reach('running'), events.stop(1) as Ev).snapshot;
    const envelope = JSON.parse(serializeSnapshot(current)) as { version: string };
    expect(envelope.version).to.equal(MACHINE_VERSION);
    const waiting = hydrateSnapshot(JSON.stringify({ ...envelope, version: '1' }), 'v1');
    expect(positionOf(waiting).path).to.equal('stopping.waiting');
    expect(() => hydrateSnapshot(JSON.stringify({ ...envelope, version: '0' }), 'v0')).to.throw(new RegExp(`machine version 0; this Berth runs version ${MACHINE_VERSION}`));
    const legacy = events.deadline('xstate.after.stopTimeout.container.stopping.waiting', waiting.context.stops) as Ev;
    expect(accepts(waiting, legacy)).to.equal(true);
  });

  it('an exit belongs to one run: an exit of an earlier run changes nothing', () => {
    for (const state of ['created', 'running', 'paused', 'stopping', 'unknown']) {
      const now = reach(state);
      const run = now.context.run;
      expect(run, state).to.be.greaterThan(0);
      expect(accepts(now, events.exited(137, AT, false, run - 1) as Ev), `${state}: an earlier run's exit`).to.equal(false);
      expect(S(step(now, events.exited(137, AT, false, run) as Ev).snapshot), `${state}: this run's exit`).to.equal('stopped');
      expect(S(step(now, events.exited(137, AT) as Ev).snapshot), `${state}: an exit recorded before runs were told apart`).to.equal('stopped');
    }
    // a restart reached running in run 2; the late exit of run 1 (a process a cleanup killed) arrives
    const restarted = settle(settle(reach('running'), events.restart(10) as Ev).snapshot, events.exited(143, AT, false, 1) as Ev).snapshot;
    expect(S(restarted)).to.equal('running');
    expect(restarted.context.run).to.equal(2);
    expect(accepts(restarted, events.exited(137, AT, false, 1) as Ev)).to.equal(false);
  });

  it('a kill during the grace period escalates at once', () => {
    const r = step(reach('stopping'), events.kill('SIGKILL') as Ev);
    expect(r.effects.find((e) => e.kind === 'call')).to.deep.include({ call: 'ociKill', input: { signal: 'SIGKILL' } });
  });

  it('restart of a running container stops it and starts it again after the exit', () => {
    const stopping = settle(reach('running'), events.restart(10) as Ev).snapshot;
    expect(S(stopping)).to.equal('stopping');
    const { snapshot, calls } = settle(stopping, events.exited(143, AT) as Ev);
    expect(S(snapshot)).to.equal('running');
    expect(calls).to.deep.equal(['ociDelete', 'ociCreate', 'ociStart']);
  });

  it('a failed runtime call rests in the state it came from with State.Error set', () => {
    const { snapshot } = settle(reach('running'), events.pause() as Ev, 'ociPause');
    expect(S(snapshot)).to.equal('running');
    expect(snapshot.context.error).to.equal('runc failed: ociPause');
  });

  it('stop of a stopped container is ErrCtrStopped; start of a running one ErrCtrStateRunning', () => {
    expect(stateError('web', 'stop', 'exited').code).to.equal('ECTRSTOPPED');
    expect(stateError('web', 'start', 'running').code).to.equal('ECTRRUNNING');
    expect(stateError('web', 'stop', 'paused').message).to.equal(
      'cannot stop container web in state paused: container state improper',
    );
  });
});
