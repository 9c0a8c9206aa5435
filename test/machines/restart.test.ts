/**
 * Restart policies in the container machine, pure: xstate's transition() only. An exit the
 * monitor records schedules the restart's durable timer per the policy, with the backoff as its
 * delay; the timer starts it again; a user's stop, kill, start or rm cancels it.
 */
import { expect } from 'chai';
import { step, type Effect } from '../../src/actors/step.js';
import { hydrateSnapshot, initialSnapshot, serializeSnapshot, type ContainerSnapshot } from '../../src/actors/snapshot.js';
import { backoffDelay, events, migrateContext, nextStreakForTest, RESTART_TIMER, shouldComeBack, shouldRestart, type RestartSpec } from './restart-support.js';
import { AT, S, settle, type Ev } from './support.js';

const B = { initialMs: 100, maxMs: 1000, resetMs: 60_000 };
const at = (s: number) => new Date(Date.parse(AT) + s * 1000).toISOString();

function running(restart: RestartSpec): ContainerSnapshot {
  const configured = initialSnapshot({ stopSignal: 'SIGTERM', stopTimeout: 10, restart });
  return settle(configured, events.start() as Ev).snapshot;
}
const schedules = (effects: Effect[]) => effects.filter((e) => e.kind === 'schedule');
/** The exit, with the worker's backoff, as the host gives it. */
const exit = (code: number, s = 1) => events.exited(code, at(s), false, undefined, B) as Ev;
/** The restart's timer fires (the event the record kept). */
function fire(snap: ContainerSnapshot): ContainerSnapshot {
  return settle(snap, { type: 'timer.restart', restarts: snap.context.restartCount } as Ev).snapshot;
}

describe('restart policy: the decision (pure)', () => {
  const base = { restartCount: 0, exitCode: 1, startedAt: AT, stoppedByUser: false };
  const cases: [string, RestartSpec, Partial<typeof base>, boolean][] = [
    ['no never restarts', { policy: 'no', retries: 0 }, {}, false],
    ['on-failure restarts a failure', { policy: 'on-failure', retries: 0 }, {}, true],
    ['on-failure does not restart a clean exit', { policy: 'on-failure', retries: 0 }, { exitCode: 0 }, false],
    ['on-failure:3 stops after 3', { policy: 'on-failure', retries: 3 }, { restartCount: 3 }, false],
    ['on-failure:3 restarts the third time', { policy: 'on-failure', retries: 3 }, { restartCount: 2 }, true],
    ['always restarts a clean exit', { policy: 'always', retries: 0 }, { exitCode: 0 }, true],
    ['always never restarts a user stop', { policy: 'always', retries: 0 }, { stoppedByUser: true }, false],
    ['unless-stopped never restarts a user stop', { policy: 'unless-stopped', retries: 0 }, { stoppedByUser: true }, false],
  ];
  for (const [name, restart, over, want] of cases) it(name, () => expect(shouldRestart({ ...base, ...over, restart })).to.equal(want));

  it('backoff doubles from the first delay to the cap, and resets after a long run', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, B))).to.deep.equal([100, 200, 400, 800, 1000, 1000]);
    expect(nextStreakForTest(4, AT, at(59), B)).to.equal(4);
    expect(nextStreakForTest(4, AT, at(60), B)).to.equal(0);
  });

  it('comes back after a worker restart: always, unless-stopped unless a user stopped it; only one that ran', () => {
    const ran = { restartCount: 0, exitCode: 0, startedAt: AT };
    expect(shouldComeBack('exited', { ...ran, restart: { policy: 'always', retries: 0 }, stoppedByUser: true })).to.equal(true);
    expect(shouldComeBack('exited', { ...ran, restart: { policy: 'unless-stopped', retries: 0 }, stoppedByUser: true })).to.equal(false);
    expect(shouldComeBack('exited', { ...ran, restart: { policy: 'unless-stopped', retries: 0 } })).to.equal(true);
    expect(shouldComeBack('configured', { ...ran, startedAt: null, restart: { policy: 'always', retries: 0 } })).to.equal(false);
    expect(shouldComeBack('running', { ...ran, restart: { policy: 'always', retries: 0 } })).to.equal(false);
    expect(shouldComeBack('exited', { ...ran, restart: { policy: 'on-failure', retries: 0 } })).to.equal(false);
    expect(shouldComeBack('exited', { ...ran, restart: { policy: 'always', retries: 0 }, restartScheduled: true })).to.equal(false);
  });
});

describe('restart policy: the machine', () => {
  it('on-failure:3: three restarts with doubling delays, then it rests exited with RestartCount 3', () => {
    let snap = running({ policy: 'on-failure', retries: 3 });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = step(snap, exit(1));
      delays.push(...schedules(r.effects).map((e) => (e.kind === 'schedule' ? e.delay : 0)));
      snap = settle(r.snapshot, events.cleanup() as Ev).snapshot;
      expect(S(snap)).to.equal('exited');
      if (i < 3) {
        expect(snap.context.restartScheduled).to.equal(true);
        snap = fire(snap);
        expect(S(snap)).to.equal('running');
      }
    }
    expect(delays).to.deep.equal([100, 200, 400]);
    expect(snap.context).to.include({ restartCount: 3, restartScheduled: false });
  });

  it('the timer fires before the cleanup: cleaned, then started again', () => {
    const r = step(running({ policy: 'always', retries: 0 }), exit(0));
    expect(schedules(r.effects)).to.have.length(1);
    expect(S(r.snapshot)).to.equal('stopped');
    const after = fire(r.snapshot);
    expect(S(after)).to.equal('running');
    expect(after.context.restartCount).to.equal(1);
  });

  for (const [name, cmd] of [
    ['stop', events.stop(10)],
    ['kill', events.kill('SIGKILL')],
  ] as const) {
    it(`a user ${name} while a restart waits cancels it, and unless-stopped remembers it`, () => {
      const waiting = settle(step(running({ policy: 'unless-stopped', retries: 0 }), exit(1)).snapshot, events.cleanup() as Ev).snapshot;
      const r = step(waiting, cmd as Ev);
      expect(r.effects).to.deep.include({ kind: 'cancel', id: RESTART_TIMER });
      expect(r.snapshot.context).to.include({ restartScheduled: false, stoppedByUser: true });
      // a timer that fires anyway (its job was already running) changes nothing
      expect(S(fire(r.snapshot))).to.equal('exited');
    });
  }

  it('an exit after a user stop or kill is never restarted (always)', () => {
    const stopping = step(running({ policy: 'always', retries: 0 }), events.stop(10) as Ev).snapshot;
    const stopped = settle(stopping, { type: 'xstate.done.actor.kill', output: {} } as Ev).snapshot;
    expect(schedules(step(stopped, exit(143)).effects)).to.deep.equal([]);
    const killed = settle(running({ policy: 'always', retries: 0 }), events.kill('SIGKILL') as Ev).snapshot;
    expect(schedules(step(killed, exit(137)).effects)).to.deep.equal([]);
  });

  it('rm -f and a user start cancel a waiting restart; the start resets RestartCount', () => {
    const waiting = settle(step(fire(settle(step(running({ policy: 'always', retries: 0 }), exit(1)).snapshot, events.cleanup() as Ev).snapshot), exit(1)).snapshot, events.cleanup() as Ev).snapshot;
    expect(waiting.context).to.include({ restartCount: 1, restartScheduled: true });
    const rm = step(waiting, events.remove(true) as Ev);
    expect(rm.effects).to.deep.include({ kind: 'cancel', id: RESTART_TIMER });
    const start = step(waiting, events.start() as Ev);
    expect(start.effects).to.deep.include({ kind: 'cancel', id: RESTART_TIMER });
    expect(start.snapshot.context).to.include({ restartCount: 0, restartScheduled: false, restartStreak: 0 });
  });

  it('a v5 snapshot reads as policy no, nothing scheduled (migrateContext)', () => {
    const json = JSON.parse(serializeSnapshot(running({ policy: 'always', retries: 0 }))) as { version: string; snapshot: { context: Record<string, unknown> } };
    for (const k of ['restart', 'stoppedByUser', 'restartStreak', 'restartScheduled', 'restartBackoffMs']) delete json.snapshot.context[k];
    json.version = '5';
    const snap = hydrateSnapshot(JSON.stringify(json), 'old');
    expect(snap.context).to.deep.include({ restart: { policy: 'no', retries: 0 }, stoppedByUser: false, restartScheduled: false });
    expect(schedules(step(snap, exit(1)).effects)).to.deep.equal([]);
    expect(migrateContext('7', { x: 1 })).to.deep.equal({ x: 1 }); // v6 gains only the mount count (mount.test.ts)
  });
});
