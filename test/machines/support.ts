/**
 * The container machine driven by hand, for the tests of this folder: xstate's pure transition()
 * only (actors/step.ts), each runtime call answered by the test.
 */
import { positionOf, step, type MachineEventInput } from '../../src/actors/step.js';
import { initialSnapshot, type ContainerSnapshot } from '../../src/actors/snapshot.js';
import { events } from '../../src/machines/index.js';

export type Ev = MachineEventInput;
export const AT = '2026-11-28T00:00:00.000Z';

/** Feeds success to every runtime call until the machine rests; returns the calls made. */
export function settle(snapshot: ContainerSnapshot, event: Ev, fail?: string): { snapshot: ContainerSnapshot; calls: string[] } {
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

export const S = (snap: ContainerSnapshot) => positionOf(snap).status;

export function reach(state: string): ContainerSnapshot {
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
