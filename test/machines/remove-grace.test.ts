/**
 * rm -f of a running container, as Podman 4: the stop signal first, then deleting (runc delete
 * --force: SIGKILL) at the exit or at the durable deadline, whichever comes first; -t 0, and any
 * other state, delete at once. Pure: xstate's transition() only.
 */
import { expect } from 'chai';
import { positionOf, step, type Effect } from '../../src/actors/step.js';
import { events } from '../../src/machines/index.js';
import { STOP_DEADLINE } from '../../src/machines/container.js';
import { AT, reach, settle, type Ev } from './support.js';

const at = (s: Parameters<typeof positionOf>[0]) => positionOf(s).path;
const calls = (effects: Effect[]) => effects.flatMap((e) => (e.kind === 'call' ? [`${e.call}(${JSON.stringify(e.input)})`] : []));
const timers = (effects: Effect[]) => effects.filter((e) => e.kind === 'schedule' || e.kind === 'cancel').map((e) => ({ ...e }));

/** rm -f -t `timeout` of a running container, up to the grace period: the stop signal sent, the deadline set. */
function graceful(timeout: number) {
  const sent = step(reach('running'), events.remove(true, timeout) as Ev);
  expect(at(sent.snapshot)).to.equal('removing.signalling');
  expect(calls(sent.effects), 'the stop signal, not SIGKILL').to.deep.equal(['ociKill({"signal":"SIGTERM"})']);
  const call = sent.effects.find((e) => e.kind === 'call')!;
  const waiting = step(sent.snapshot, events.done(call.kind === 'call' ? call.id : '') as Ev);
  expect(at(waiting.snapshot)).to.equal('removing.waiting');
  expect(calls(waiting.effects), 'no SIGKILL yet').to.deep.equal([]);
  expect(timers(waiting.effects)).to.deep.equal([{ kind: 'schedule', id: STOP_DEADLINE, delay: timeout * 1000, event: { type: 'timer.stop', stops: 1 } }]);
  return waiting.snapshot;
}

describe('container machine: rm -f of a running container', () => {
  it('the deadline passes: then deleting, forced (SIGKILL), then removed', () => {
    const waiting = graceful(5);
    const deadline = step(waiting, events.deadline('timer.stop', 1) as Ev);
    expect(at(deadline.snapshot)).to.equal('removing.deleting');
    expect(calls(deadline.effects)).to.deep.equal(['ociRemove({"force":true})']);
    expect(timers(deadline.effects), 'the fired deadline is cancelled on leaving').to.deep.equal([{ kind: 'cancel', id: STOP_DEADLINE }]);
  });

  it('the process exits within the grace period: its exit recorded, deleting at once, the deadline cancelled', () => {
    const waiting = graceful(30);
    const exited = step(waiting, events.exited(143, AT, false, 1) as Ev);
    expect(at(exited.snapshot)).to.equal('removing.deleting');
    expect(exited.snapshot.context.exitCode).to.equal(143);
    expect(calls(exited.effects)).to.deep.equal(['ociRemove({"force":true})']);
    expect(timers(exited.effects)).to.deep.equal([{ kind: 'cancel', id: STOP_DEADLINE }]);
    const call = exited.effects.find((e) => e.kind === 'call')!;
    expect(at(step(exited.snapshot, events.done(call.kind === 'call' ? call.id : '') as Ev).snapshot)).to.equal('removed');
  });

  it('a stale deadline (of an earlier stop) changes nothing', () => {
    const waiting = graceful(5);
    expect(at(step(waiting, events.deadline('timer.stop', 0) as Ev).snapshot)).to.equal('removing.waiting');
  });

  it('rm without -f is refused while it stops; rm -f again deletes at once', () => {
    const waiting = graceful(5);
    expect(waiting.can(events.remove(false) as Ev)).to.equal(false);
    const again = step(waiting, events.remove(true, 5) as Ev);
    expect(at(again.snapshot)).to.equal('removing.deleting');
    expect(calls(again.effects)).to.deep.equal(['ociRemove({"force":true})']);
  });

  it('-t 0, and rm -f of a paused, created or stopping container: deleting at once, as before', () => {
    for (const [state, timeout] of [['running', 0], ['paused', 10], ['created', 10], ['stopping', 10]] as const) {
      const r = step(reach(state), events.remove(true, timeout) as Ev);
      expect(at(r.snapshot), state).to.equal('removing.deleting');
      expect(calls(r.effects), state).to.deep.equal(['ociRemove({"force":true})']);
    }
    expect(positionOf(settle(reach('running'), events.remove(true, 10) as Ev).snapshot).path, 'settled: stop signal sent, waiting').to.equal('removing.waiting');
  });
});
