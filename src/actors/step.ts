/**
 * A worker step, pure: xstate's `transition()` gives the next snapshot and the actions it would
 * run; this turns those actions into Effects, data the worker executes after it has persisted the
 * snapshot. Nothing here does I/O.
 */
import { createActor, type ActorScope, type ExecutableActionObject, type transition } from 'xstate';
import { containerMachine, statusOf, activityOf, type ContainerMachine, type RuntimeCall, type Status } from '../machines/index.js';
import { isRuntimeCall } from './calls.js';
import type { ContainerSnapshot } from './snapshot.js';

export type { RuntimeCall };

/** Run a runtime call, then feed back xstate.done.actor.<id> or xstate.error.actor.<id>. */
export type CallEffect = { kind: 'call'; id: string; call: RuntimeCall; input: Record<string, unknown> };
/** The event a durable timer delivers (`timer.<name>` and its payload). */
export type TimerEvent = { type: string } & Record<string, unknown>;

export type Effect =
  | CallEffect
  /** A durable timer `id`: deliver `event` after `delay` ms (a BullMQ delayed job); replaces a timer of that id. */
  | { kind: 'schedule'; id: string; delay: number; event: TimerEvent }
  /** Cancel the durable timer `id` (the one scheduled before this step, if any). */
  | { kind: 'cancel'; id: string }
  | { kind: 'requestCleanup' }
  /** Run health probe `probe` of run `run` on the node; its result comes back as the `health` command. */
  | ProbeEffect;

export type ProbeEffect = { kind: 'probe'; run: number; probe: number };

export type MachineEventInput = Parameters<typeof transition<typeof containerMachine>>[2];

export interface StepResult {
  snapshot: ContainerSnapshot;
  effects: Effect[];
}

export function accepts(snapshot: ContainerSnapshot, event: MachineEventInput): boolean {
  return snapshot.status === 'active' && snapshot.can(event);
}

type StepScope = ActorScope<ContainerSnapshot, MachineEventInput>;
const scopes = new WeakMap<ContainerMachine, StepScope>();

/**
 * The inert scope xstate's `transition()` builds on every call, built once. `transition()` first
 * constructs a throwaway actor, which computes the machine's initial snapshot (without input: it
 * throws inside, and the error is caught) for every step: 119 µs a step against 26 µs. A step
 * here starts no child and sets no system id, so one scope serves every step; step() is
 * synchronous, so setting the action collector per call is safe.
 */
function stepScope(machine: ContainerMachine): StepScope {
  let scope = scopes.get(machine);
  if (!scope) {
    const self = createActor(machine, { input: { stopSignal: 'SIGTERM', stopTimeout: 10 } });
    scope = { self, id: '', sessionId: '', logger: () => {}, defer: () => {}, emit: () => {}, system: self.system, stopChild: () => {}, actionExecutor: () => {} };
    scopes.set(machine, scope);
  }
  return scope;
}

/**
 * One step of `machine` (the container machine, or one built from its setup: the same context,
 * events and named effects, other states).
 */
export function step(snapshot: ContainerSnapshot, event: MachineEventInput, machine: ContainerMachine = containerMachine): StepResult {
  const actions: ExecutableActionObject[] = [];
  const s = stepScope(machine);
  s.actionExecutor = (action) => void actions.push(action);
  const next = machine.transition(snapshot, event, s);
  s.actionExecutor = () => {};
  const effects: Effect[] = [];
  for (const action of actions) {
    const params = (action.params ?? {}) as Record<string, unknown>;
    switch (action.type as string) {
      case 'xstate.spawnChild': {
        const src = params['src'];
        if (isRuntimeCall(src)) {
          effects.push({ kind: 'call', id: String(params['id']), call: src, input: (params['input'] ?? {}) as Record<string, unknown> });
        }
        break;
      }
      case 'xstate.raise':
        if (typeof params['delay'] === 'number') {
          effects.push({
            kind: 'schedule',
            id: String(params['id']),
            delay: params['delay'],
            event: params['event'] as TimerEvent,
          });
        }
        break;
      case 'xstate.cancel':
        // which schedule of the timer it cancels is resolved at the commit (timers.ts)
        effects.push({ kind: 'cancel', id: String(params['sendId']) });
        break;
      case 'requestCleanup':
        effects.push({ kind: 'requestCleanup' });
        break;
      case 'requestProbe':
        // the probe the step counted (countProbe runs first), of the run it is for
        effects.push({ kind: 'probe', run: next.context.run, probe: next.context.health?.probes ?? 0 });
        break;
      default:
        break;
    }
  }
  return { snapshot: next, effects };
}

export interface Position {
  status: Status;
  /** The in-flight call or sub-state ("pausing", "waiting"), '' when idle. */
  activity: string;
  path: string;
}

export function positionOf(snapshot: ContainerSnapshot): Position {
  const status = statusOf(snapshot.value);
  const activity = activityOf(snapshot.value);
  return { status, activity: activity === 'idle' ? '' : activity, path: activity ? `${status}.${activity}` : status };
}
