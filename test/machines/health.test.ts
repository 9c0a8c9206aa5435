/**
 * Health checks in the container machine (LIFECYCLE.md §4.2), through the pure step(): the probe
 * timer is set on entering running and cancelled on leaving it (pause, stop); a fired timer asks
 * for a probe (the `probe` effect, numbered) and sets itself again as a watchdog; results move
 * State.Health (healthy at once, unhealthy after `retries` failures in a row, nothing counted in
 * the start period, the last 5 kept); on-failure kill, stop and restart; results of another run,
 * or in another state, change nothing; v5 snapshots read as v6 without a health check.
 */
import { expect } from 'chai';
import { accepts, positionOf, step, type Effect } from '../../src/actors/step.js';
import { hydrateSnapshot, initialSnapshot, serializeSnapshot, type ContainerSnapshot } from '../../src/actors/snapshot.js';
import { events, INTERNAL_COMMANDS, MACHINE_VERSION, migrateContext } from '../../src/machines/index.js';
import { commandSchema } from '../../src/queue/contract.js';
import type { HealthPolicy } from '../../src/machines/health.js';
import { AT, settle, type Ev } from './support.js';

const policy = (over: Partial<HealthPolicy> = {}): HealthPolicy => ({ intervalMs: 1000, timeoutMs: 500, retries: 3, startPeriodMs: 0, onFailure: 'none', ...over });
const path = (s: ContainerSnapshot) => positionOf(s).path.replace(/\.idle$/, '');
const kinds = (effects: Effect[]) => effects.map((e) => (e.kind === 'call' ? e.call : e.kind === 'schedule' || e.kind === 'cancel' ? `${e.kind}:${e.id}:${'delay' in e ? e.delay : ''}` : e.kind));

function running(p: HealthPolicy): { snapshot: ContainerSnapshot; effects: Effect[] } {
  const created = settle(initialSnapshot({ stopSignal: 'SIGTERM', stopTimeout: 10, healthcheck: p }), events.init() as Ev).snapshot;
  const r1 = step(created, events.start() as Ev);
  const r2 = step(r1.snapshot, events.done('start', { at: AT }) as Ev);
  return r2;
}

/** Fires the timer, then feeds the probe's result; returns both steps. */
function probe(s: ContainerSnapshot, exitCode: number, start = AT) {
  const fired = step(s, { type: 'timer.health', run: s.context.run } as Ev);
  const n = s.context.health!.probes + 1;
  const result = step(fired.snapshot, events.health({ run: s.context.run, probe: n, exitCode, text: `out ${n}`, start, end: start }) as Ev);
  return { fired, result };
}

describe('container machine: health checks', () => {
  it('starting once started; the first probe one interval on (a durable timer), none without a health check', () => {
    const r = running(policy());
    expect(path(r.snapshot)).to.equal('running');
    expect(r.snapshot.context.health).to.deep.equal({ status: 'starting', failingStreak: 0, log: [], probes: 0 });
    expect(kinds(r.effects)).to.deep.equal(['schedule:health:1000']);
    const plain = settle(settle(initialSnapshot({ stopSignal: 'SIGTERM', stopTimeout: 10 }), events.init() as Ev).snapshot, events.start() as Ev).snapshot;
    expect(plain.context.health).to.equal(null);
    expect(accepts(plain, events.healthcheck() as Ev)).to.equal(false);
    expect(running(policy({ intervalMs: 0 })).effects.filter((e) => e.kind === 'schedule')).to.deep.equal([]);
  });

  it('a fired timer asks for probe n and sets the watchdog at timeout + interval; its result sets the next one interval on', () => {
    const { fired, result } = probe(running(policy()).snapshot, 0);
    expect(fired.effects).to.deep.include({ kind: 'probe', run: 1, probe: 1 });
    expect(kinds(fired.effects)).to.include('schedule:health:1500');
    expect(result.snapshot.context.health).to.deep.include({ status: 'healthy', failingStreak: 0, probes: 1 });
    expect(result.snapshot.context.health!.log).to.deep.equal([{ Start: AT, End: AT, ExitCode: 0, Output: 'out 1' }]);
    expect(kinds(result.effects)).to.deep.equal(['schedule:health:1000']);
  });

  it('unhealthy after `retries` failures in a row; a success clears the streak; the log keeps the last 5', () => {
    let s = running(policy({ retries: 2 })).snapshot;
    s = probe(s, 1).result.snapshot;
    expect(s.context.health).to.deep.include({ status: 'starting', failingStreak: 1 });
    s = probe(s, 0).result.snapshot;
    expect(s.context.health).to.deep.include({ status: 'healthy', failingStreak: 0 });
    s = probe(s, 1).result.snapshot;
    expect(s.context.health).to.deep.include({ status: 'healthy', failingStreak: 1 });
    s = probe(s, -1).result.snapshot;
    expect(s.context.health).to.deep.include({ status: 'unhealthy', failingStreak: 2 });
    for (let i = 0; i < 4; i++) s = probe(s, 1).result.snapshot;
    expect(s.context.health!.log.map((e) => e.Output)).to.deep.equal(['out 4', 'out 5', 'out 6', 'out 7', 'out 8']);
    expect(path(s)).to.equal('running');
  });

  it('failures in the start period do not count (Podman rule); after it they do', () => {
    let s = running(policy({ retries: 1, startPeriodMs: 60_000 })).snapshot;
    s = probe(s, 1, new Date(Date.parse(AT) + 1000).toISOString()).result.snapshot;
    expect(s.context.health).to.deep.include({ status: 'starting', failingStreak: 0 });
    s = probe(s, 1, new Date(Date.parse(AT) + 61_000).toISOString()).result.snapshot;
    expect(s.context.health).to.deep.include({ status: 'unhealthy', failingStreak: 1 });
  });

  it('pause cancels the timer and unpause sets it again; results while paused, or of another run, change nothing', () => {
    const s = running(policy()).snapshot;
    const pausing = step(s, events.pause() as Ev);
    expect(kinds(pausing.effects)).to.deep.equal(['ociPause']);
    const pausedStep = step(pausing.snapshot, events.done('pause') as Ev);
    expect(kinds(pausedStep.effects)).to.deep.equal(['cancel:health:']);
    const paused = pausedStep.snapshot;
    expect(accepts(paused, { type: 'timer.health', run: 1 } as Ev)).to.equal(false);
    expect(accepts(paused, events.health({ run: 1, probe: 1, exitCode: 1, text: '', start: AT, end: AT }) as Ev)).to.equal(false);
    const unpausing = step(paused, events.unpause() as Ev);
    const back = step(unpausing.snapshot, events.done('resume') as Ev);
    expect(kinds(back.effects)).to.deep.equal(['schedule:health:1000']);
    expect(accepts(back.snapshot, events.health({ run: 2, probe: 1, exitCode: 1, text: '', start: AT, end: AT }) as Ev)).to.equal(false);
  });

  it('on-failure kill sends SIGKILL, stop stops it, restart restarts it (RestartCount counts)', () => {
    const killed = probe(running(policy({ retries: 1, onFailure: 'kill' })).snapshot, 1).result;
    expect(path(killed.snapshot)).to.equal('running.killing');
    expect(killed.effects.find((e) => e.kind === 'call')).to.deep.include({ call: 'ociKill', input: { signal: 'SIGKILL' } });
    const stopped = probe(running(policy({ retries: 1, onFailure: 'stop' })).snapshot, 1).result;
    expect(path(stopped.snapshot)).to.equal('stopping.signalling');
    expect(stopped.snapshot.context.restarting).to.equal(false);
    const restarting = probe(running(policy({ retries: 1, onFailure: 'restart' })).snapshot, 1).result;
    expect(path(restarting.snapshot)).to.equal('stopping.signalling');
    expect(restarting.snapshot.context).to.include({ restarting: true, restartCount: 1 });
    const again = settle(step(restarting.snapshot, events.done('kill') as Ev).snapshot, events.exited(143, AT, false, 1) as Ev).snapshot;
    expect(path(again)).to.equal('running');
    expect(again.context.health).to.deep.include({ status: 'starting', failingStreak: 0 });
  });

  it('`healthcheck` asks for a probe at once, with a health check and while running only', () => {
    const s = running(policy()).snapshot;
    const r = step(s, events.healthcheck() as Ev);
    expect(r.effects).to.deep.equal([{ kind: 'probe', run: 1, probe: 1 }]);
  });

  it('a probe\'s result is Berth-only (a producer\'s `health` job is refused by the processor); `healthcheck` is anyone\'s', () => {
    expect(INTERNAL_COMMANDS.has('health')).to.equal(true);
    expect(INTERNAL_COMMANDS.has('healthcheck')).to.equal(false);
    expect(commandSchema.safeParse({ command: 'healthcheck', container: 'web' }).success).to.equal(true);
    // a result that does not parse is refused before the machine sees it
    expect(commandSchema.safeParse({ command: 'health', container: 'web', run: 1, probe: 1, exitCode: 'x', text: '', start: 'T', end: 'T' }).success).to.equal(false);
  });

  it('v5 snapshots read as v6 with no health check', () => {
    expect(Number(MACHINE_VERSION)).to.be.at.least(6); // 7: the storage mailbox's mount count (mount.test.ts)
    expect(migrateContext('5', { run: 1, execs: {} })).to.deep.include({ healthcheck: null, health: null });
    const s = running(policy()).snapshot;
    expect(hydrateSnapshot(serializeSnapshot(s), 'x').context.health).to.deep.equal(s.context.health);
  });
});
