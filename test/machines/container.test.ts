/**
 * Every (state, command) pair of the container machine, as a table (shared/LIFECYCLE.md). Pure:
 * xstate's transition() only, no Redis, no runc. Allowed commands are run to rest, each runtime
 * call answered with success; refused ones must leave the snapshot exactly as it was.
 */
import { expect } from 'chai';
import { accepts, positionOf, step, type MachineEventInput } from '../../src/actors/step.js';
import { initialSnapshot, serializeSnapshot, type ContainerSnapshot } from '../../src/actors/snapshot.js';
import { events } from '../../src/machines/index.js';
import { stateError } from '../../src/errors.js';

type Ev = MachineEventInput;
const AT = '2026-11-28T00:00:00.000Z';

/** Feeds success to every runtime call until the machine rests; returns the calls made. */
function settle(snapshot: ContainerSnapshot, event: Ev, fail?: string): { snapshot: ContainerSnapshot; calls: string[] } {
  let r = step(snapshot, event);
  const calls: string[] = [];
  for (let guard = 0; guard < 10; guard++) {
    const call = r.effects.find((e) => e.kind === 'call');
    if (!call || call.kind !== 'call') return { snapshot: r.snapshot, calls };
    calls.push(call.call);
    const fed =
      call.call === fail
        ? events.failed(call.id, { code: 'EOCI', message: `runc failed: ${call.call}` })
        : events.done(call.id, { pid: 42, at: AT });
    r = step(r.snapshot, fed as Ev);
  }
  throw new Error('machine never rests');
}

const S = (snap: ContainerSnapshot) => positionOf(snap).status;

function reach(state: string): ContainerSnapshot {
  const go = (s: ContainerSnapshot, e: Ev, fail?: string) => settle(s, e, fail).snapshot;
  const configured = initialSnapshot({ stopSignal: 'SIGTERM', stopTimeout: 10 });
  const created = go(configured, events.init() as Ev);
  const running = go(created, events.start() as Ev);
  const stopped = go(running, events.exited(3, AT) as Ev);
  switch (state) {
    case 'configured':
      return configured;
    case 'created':
      return created;
    case 'running':
      return running;
    case 'paused':
      return go(running, events.pause() as Ev);
    case 'stopping':
      return go(running, events.stop(10) as Ev);
    case 'stopped':
      return stopped;
    case 'exited':
      return go(stopped, events.cleanup() as Ev);
    case 'removing':
      return go(stopped, events.remove(false) as Ev, 'ociRemove');
    case 'unknown':
      return go(running, events.lost('node lost') as Ev);
    case 'removed':
      return go(stopped, events.remove(false) as Ev);
    default:
      throw new Error(state);
  }
}

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
};

// expected status after the command settles; '-' = refused
const TABLE: Record<string, Record<string, string>> = {
  //            init       start      stop       kill       pause     unpause    restart    cleanup       rm         rm -f      exited
  configured: { init: 'created', start: 'running', stop: '-', kill: '-', pause: '-', unpause: '-', restart: 'running', cleanup: 'configured', rm: 'removed', 'rm -f': 'removed', exited: '-' },
  created: { init: '-', start: 'running', stop: 'stopping', kill: '-', pause: '-', unpause: '-', restart: 'running', cleanup: 'configured', rm: 'removed', 'rm -f': 'removed', exited: 'stopped' },
  running: { init: '-', start: '-', stop: 'stopping', kill: 'running', pause: 'paused', unpause: '-', restart: 'stopping', cleanup: '-', rm: '-', 'rm -f': 'removed', exited: 'stopped' },
  paused: { init: '-', start: '-', stop: '-', kill: 'paused', pause: '-', unpause: 'running', restart: '-', cleanup: '-', rm: '-', 'rm -f': 'removed', exited: 'stopped' },
  stopping: { init: '-', start: '-', stop: 'stopping', kill: 'stopping', pause: '-', unpause: '-', restart: '-', cleanup: '-', rm: '-', 'rm -f': 'removed', exited: 'stopped' },
  stopped: { init: 'created', start: 'running', stop: '-', kill: '-', pause: '-', unpause: '-', restart: 'running', cleanup: 'exited', rm: 'removed', 'rm -f': 'removed', exited: '-' },
  exited: { init: 'created', start: 'running', stop: '-', kill: '-', pause: '-', unpause: '-', restart: 'running', cleanup: 'exited', rm: 'removed', 'rm -f': 'removed', exited: '-' },
  removing: { init: '-', start: '-', stop: '-', kill: '-', pause: '-', unpause: '-', restart: '-', cleanup: '-', rm: 'removed', 'rm -f': 'removed', exited: '-' },
  unknown: { init: '-', start: '-', stop: '-', kill: '-', pause: '-', unpause: '-', restart: '-', cleanup: '-', rm: '-', 'rm -f': 'removed', exited: 'stopped' },
  removed: { init: '-', start: '-', stop: '-', kill: '-', pause: '-', unpause: '-', restart: '-', cleanup: '-', rm: '-', 'rm -f': '-', exited: '-' },
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
    const stale = { type: 'xstate.after.stopTimeout.container.stopping.waiting', stops: again.context.stops - 1 } as Ev;
    expect(accepts(again, stale)).to.equal(false);
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
