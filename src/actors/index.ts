/**
 * actors: hosting container machines.
 * - snapshot.ts: hydrate and persist snapshots; step.ts: the pure worker step (a transition and
 *   the effects it names);
 * - entry.ts: a mailbox entry and its machine event (by the command table, machines/commands.ts);
 * - lease.ts: taking, renewing and losing a container's lease;
 * - host.ts: the drain loop, applying a container's mailbox in seq order under its lease;
 * - commit-step.ts: the pure commit of a step (and create-commit.ts: of a create);
 * - calls.ts: the runtime-call table (how each call runs, how an interrupted one is settled);
 *   effects.ts runs one; calls-in-flight.ts runs those of one container side by side;
 * - timers.ts: durable timers by id; pending-effects.ts: the effects a commit keeps;
 * - create.ts: the create command; reconcile-node.ts: a node agreeing with runc at start;
 * - inspect.ts: the inspect view; liveness.ts: whether a holder process is dead.
 */
export { ContainerHost } from './host.js';
export type { HostOptions } from './host.js';
export type { CommandResult } from './commit-step.js';
export type { MailboxEntry } from './entry.js';
export type { Scheduler, TimerRef } from './pending-effects.js';
export { createContainer, defaultName } from './create.js';
export { inspectFrom, ZERO_TIME } from './inspect.js';
export type { Inspect, InspectState } from './inspect.js';
export { initialSnapshot, hydrateSnapshot, serializeSnapshot } from './snapshot.js';
export type { ContainerSnapshot } from './snapshot.js';
export { step, accepts, positionOf } from './step.js';
export type { CallEffect, Effect, RuntimeCall, StepResult, Position, TimerEvent } from './step.js';
export { CALL_TABLE, isRuntimeCall, runtimeSpecOf, settleCall } from './calls.js';
export type { CallDef, Settled } from './calls.js';
export { runCall } from './effects.js';
export { resolveTimers } from './timers.js';
export type { PendingEffect, Timers } from './timers.js';
