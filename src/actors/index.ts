/**
 * actors: hosting container machines. Hydrate/persist snapshots (snapshot.ts), the pure worker
 * step (step.ts), a mailbox entry and its event (entry.ts), the pure commit of a step
 * (commit-step.ts), the effects a commit keeps (pending-effects.ts), applying a container's
 * mailbox under its lease (host.ts), running the named runtime calls (effects.ts), reconciling
 * interrupted calls (reconcile.ts) and a node at start (reconcile-node.ts), create (create.ts),
 * and the inspect view (inspect.ts).
 */
export { ContainerHost } from './host.js';
export type { HostOptions } from './host.js';
export type { CommandResult } from './commit-step.js';
export type { MailboxEntry } from './entry.js';
export type { Scheduler } from './pending-effects.js';
export { createContainer, defaultName } from './create.js';
export { inspectFrom, ZERO_TIME } from './inspect.js';
export type { Inspect, InspectState } from './inspect.js';
export { initialSnapshot, hydrateSnapshot, serializeSnapshot } from './snapshot.js';
export type { ContainerSnapshot } from './snapshot.js';
export { step, accepts, positionOf } from './step.js';
export type { Effect, RuntimeCall, StepResult, Position } from './step.js';
export { reconcileCall } from './reconcile.js';
export { runCall, runtimeSpecOf } from './effects.js';
