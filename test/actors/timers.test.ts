/**
 * Durable timers by id (actors/timers.ts): what a step's schedules and cancels become at its
 * commit, with the versions that make a stale timer, or a late cancel, a no-op. Pure.
 */
import { expect } from 'chai';
import { resolveTimers } from '../../src/actors/timers.js';
import type { Effect } from '../../src/actors/step.js';

const AT = Date.parse('2026-12-02T00:00:00.000Z');
/** A pending stop deadline scheduled by version v, due `delay` ms after AT. */
const t = (v: number, delay = 0, stops = 1) => ({ v, due: AT + delay, event: { type: 'timer.stop', stops } });
const deadline = (stops: number): Effect => ({ kind: 'schedule', id: 'stopDeadline', delay: 1000, event: { type: 'timer.stop', stops } });

describe('actors/timers: durable timers by id', () => {
  it('a schedule is kept under its id with the version of its commit, when it is due and its event', () => {
    const r = resolveTimers({}, [deadline(1)], 5, AT);
    expect(r.timers).to.deep.equal({ stopDeadline: t(5, 1000, 1) });
    expect(r.pending).to.deep.equal([{ kind: 'schedule', id: 'stopDeadline', v: 5, delay: 1000, event: { type: 'timer.stop', stops: 1 } }]);
  });

  it('any number of named timers live side by side', () => {
    const r = resolveTimers({ stopDeadline: t(3) }, [{ kind: 'schedule', id: 'restartBackoff', delay: 200, event: { type: 'timer.restart' } }], 4, AT);
    expect(r.timers).to.deep.equal({ stopDeadline: t(3), restartBackoff: { v: 4, due: AT + 200, event: { type: 'timer.restart' } } });
  });

  it("a cancel names the schedule it removes, never a newer one: a re-stop's cancel then its new deadline", () => {
    // stopping re-entered: the old deadline (v3) is cancelled; the new one is set by a later step (v6)
    const restop = resolveTimers({ stopDeadline: t(3) }, [{ kind: 'cancel', id: 'stopDeadline' }], 5, AT);
    expect(restop.pending).to.deep.equal([{ kind: 'cancel', id: 'stopDeadline', v: 3 }]);
    expect(restop.timers).to.deep.equal({});
    const again = resolveTimers(restop.timers, [deadline(2)], 6, AT);
    expect(again.timers).to.deep.equal({ stopDeadline: t(6, 1000, 2) });
    // the cancel of v3, run late by a worker recovering the record, removes job v3, not v6
    expect(restop.pending[0]).to.not.deep.include({ v: 6 });
  });

  it('a cancel and a schedule of one id in one step: the old schedule goes, the new one is kept', () => {
    const r = resolveTimers({ stopDeadline: t(3) }, [{ kind: 'cancel', id: 'stopDeadline' }, deadline(2)], 8, AT);
    expect(r.pending.map((e) => e.kind)).to.deep.equal(['cancel', 'schedule']);
    expect(r.timers).to.deep.equal({ stopDeadline: t(8, 1000, 2) });
  });

  it('cancelling a timer that is not pending does nothing (stop -t 0 set none)', () => {
    expect(resolveTimers({}, [{ kind: 'cancel', id: 'stopDeadline' }], 2, AT)).to.deep.equal({ timers: {}, pending: [] });
  });

  it('a timer that fired is no longer pending', () => {
    expect(resolveTimers({ stopDeadline: t(3), other: t(2) }, [], 4, AT, 'stopDeadline').timers).to.deep.equal({ other: t(2) });
  });
});
