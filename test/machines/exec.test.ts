/**
 * Exec sessions in the container machine (LIFECYCLE.md §2.8), through the pure step(): exec only
 * in running (ociExec with the request), the session in the context from the command on, its pid
 * once started, 127 / 126 / 125 when it could not be, its end from `execExited` in any state;
 * sessions block cleanup, a non-forced rm, init and start of a stopped container, and the end of
 * the last one requests the cleanup; a retried session id is not started twice; the ended ones
 * kept are bounded; the command table validates the job's arguments; v3 snapshots read as v4.
 */
import { expect } from 'chai';
import { accepts, positionOf, step } from '../../src/actors/step.js';
import { hydrateSnapshot, serializeSnapshot, type ContainerSnapshot } from '../../src/actors/snapshot.js';
import { commandToEvent, ENDED_EXECS_KEPT, events, type ExecRequest } from '../../src/machines/index.js';
import { execSessionsError, stateError } from '../../src/errors.js';
import { AT, reach, settle, type Ev } from './support.js';

const sid = (n: number) => n.toString(16).padStart(64, '0');
const request = (n: number, over: Partial<ExecRequest> = {}): ExecRequest => ({ session: sid(n), command: ['sh', '-c', 'true'], env: ['A=1'], workdir: '', user: '', tty: false, stdin: false, ...over });
const path = (s: ContainerSnapshot) => positionOf(s).path.replace(/\.idle$/, '');

/** An exec in `from`, its ociExec call answered with `pid` or a failure. */
function exec(from: ContainerSnapshot, n: number, answer: { pid: number } | { code: string; message: string } = { pid: 500 + n }) {
  const r1 = step(from, events.exec(request(n)) as Ev);
  const call = r1.effects.find((e) => e.kind === 'call');
  expect(call).to.deep.include({ call: 'ociExec', id: 'exec' });
  expect(call && call.kind === 'call' && call.input).to.include({ session: sid(n) });
  const fed = 'pid' in answer ? events.done('exec', { pid: answer.pid, at: AT }) : events.failed('exec', answer);
  return { during: r1.snapshot, after: step(r1.snapshot, fed as Ev).snapshot };
}

describe('container machine: exec sessions', () => {
  it('runs only in running: ociExec with the request, the session running from the command on, its pid once started', () => {
    const { during, after } = exec(reach('running'), 1);
    expect(path(during)).to.equal('running.execing');
    expect(during.context.execs[sid(1)]).to.include({ running: true, pid: 0, exitCode: null });
    expect(path(after)).to.equal('running');
    expect(after.context.execs[sid(1)]).to.include({ running: true, pid: 501 });
    expect(after.context.execStarting).to.equal(null);
    for (const state of ['configured', 'created', 'paused', 'stopping', 'stopped', 'exited', 'unknown']) {
      expect(accepts(reach(state), events.exec(request(1)) as Ev), state).to.equal(false);
    }
  });

  it('a session id seen before is not started again (a retried job)', () => {
    const { after } = exec(reach('running'), 1);
    expect(accepts(after, events.exec(request(1)) as Ev)).to.equal(false);
  });

  it('one that cannot be run ends at once: 127 not found, 126 cannot be run, 125 a bad user', () => {
    const cases: Array<[string, string, number]> = [
      ['EOCI', 'runc: exec failed: exec: "x": executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found', 127],
      ['EOCI', 'runc: exec failed: exec: "/etc/passwd": permission denied: OCI permission denied', 126],
      ['EINVAL', 'unable to find user x: no matching entries in passwd file', 125],
    ];
    for (const [code, message, exit] of cases) {
      const s = exec(reach('running'), 2, { code, message }).after.context.execs[sid(2)];
      expect(s, message).to.include({ running: false, exitCode: exit, error: message });
    }
  });

  it('execExited ends a session in any state; an unknown or ended one changes nothing', () => {
    let s = exec(reach('running'), 1).after;
    s = settle(s, events.pause() as Ev).snapshot;
    const ended = step(s, events.execExited(sid(1), 3, AT) as Ev).snapshot;
    expect(path(ended)).to.equal('paused');
    expect(ended.context.execs[sid(1)]).to.include({ running: false, exitCode: 3, finishedAt: AT });
    expect(accepts(ended, events.execExited(sid(1), 3, AT) as Ev)).to.equal(false);
    expect(accepts(ended, events.execExited(sid(9), 0, AT) as Ev)).to.equal(false);
  });

  it('sessions block cleanup, a non-forced rm, init and start of a stopped container; the last end requests the cleanup', () => {
    let s = exec(exec(reach('running'), 1).after, 2).after;
    s = settle(s, events.exited(137, AT) as Ev).snapshot;
    expect(path(s)).to.equal('stopped');
    for (const e of [events.cleanup(), events.remove(false), events.init(), events.start(), events.restart(10)]) expect(accepts(s, e as Ev), e.type).to.equal(false);
    expect(accepts(s, events.remove(true) as Ev), 'rm -f still goes').to.equal(true);
    const one = step(s, events.execExited(sid(1), 137, AT) as Ev);
    expect(one.effects.map((e) => e.kind)).to.not.include('requestCleanup');
    const last = step(one.snapshot, events.execExited(sid(2), 137, AT) as Ev);
    expect(last.effects.map((e) => e.kind)).to.include('requestCleanup');
    expect(path(settle(last.snapshot, events.cleanup() as Ev).snapshot)).to.equal('exited');
    // what the host says when it refuses them (libpod's words, wrapped as ErrCtrStateInvalid)
    expect(execSessionsError('web', 'cleanup', 'stopped').message).to.equal('container web has active exec sessions, refusing to clean up: container state improper');
    expect(execSessionsError('web', 'remove', 'stopped')).to.include({ code: 'ECTRSTATE', message: 'container web has active exec sessions, refusing to remove: container state improper' });
    expect(stateError('web', 'exec', 'paused').message).to.equal('cannot exec into container web in state paused: can only create exec sessions on running containers: container state improper');
  });

  it(`keeps the running sessions and the last ${ENDED_EXECS_KEPT} ended ones`, () => {
    let s = exec(reach('running'), 0).after;
    for (let n = 1; n <= ENDED_EXECS_KEPT + 5; n++) s = step(exec(s, n).after, events.execExited(sid(n), n, AT) as Ev).snapshot;
    const kept = Object.values(s.context.execs);
    expect(kept.filter((x) => x.running).map((x) => x.id)).to.deep.equal([sid(0)]);
    expect(kept.filter((x) => !x.running).map((x) => x.exitCode)).to.deep.equal(Array.from({ length: ENDED_EXECS_KEPT }, (_, i) => i + 6));
  });

  it('the command table checks the job: 64-hex session, an argv, USER[:GROUP], an absolute workdir', () => {
    const ctx = { stopTimeout: 10, timers: {} };
    const ok = commandToEvent('exec', { session: sid(1), argv: ['ls'], user: 'nobody:nogroup', workdir: '/tmp', env: ['A=1'], tty: true, rows: 24, cols: 80 }, ctx);
    expect(ok.ok && ok.event).to.deep.include({ type: 'cmd.exec', session: sid(1), command: ['ls'], user: 'nobody:nogroup', rows: 24, cols: 80 });
    for (const bad of [{ session: 'abc', argv: ['ls'] }, { session: sid(1), argv: [] }, { session: sid(1), argv: ['ls'], user: 'a:b:c' }, { session: sid(1), argv: ['ls'], workdir: 'tmp' }, { session: sid(1), argv: ['ls'], env: ['1A=x'] }]) {
      expect(commandToEvent('exec', bad, ctx).ok, JSON.stringify(bad)).to.equal(false);
    }
    expect(commandToEvent('execExited', { session: sid(1), code: 0, at: AT }, ctx).ok).to.equal(true);
  });

  it('a version 3 snapshot reads as version 4, with no sessions', () => {
    const v4 = JSON.parse(serializeSnapshot(reach('running'))) as { version: string; snapshot: { context: Record<string, unknown> } };
    delete v4.snapshot.context['execs'];
    delete v4.snapshot.context['execStarting'];
    const s = hydrateSnapshot(JSON.stringify({ ...v4, version: '3' }), 'c1');
    expect(s.context.execs).to.deep.equal({});
    expect(path(exec(s, 1).after)).to.equal('running');
  });
});
