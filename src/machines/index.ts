/**
 * machines: the pure statecharts. Nothing here does I/O; effects are named (invoked runtime calls,
 * RUNTIME_CALLS; the `requestCleanup` action; durable timers, delayed raises with an id) and
 * executed from outside. container.ts and container-setup.ts: the container machine; events.ts:
 * its events and their factories; commands.ts: the one command table; status.ts: state values to
 * public statuses; describe.ts: guards in words, for the chart and the graph; podman-events.ts
 * (with podman-event-names.ts): transitions to Podman event names, for `berth events`;
 * container-mount.ts: `mount` / `unmount` and the count of mounts.
 */
export { containerMachine, MACHINE_ID, MACHINE_VERSION, READABLE_VERSIONS, RUNTIME_CALLS } from './container.js';
export type { ContainerContext, ContainerInput, ContainerMachine, RuntimeCall } from './container.js';
export { ENDED_EXECS_KEPT, migrateContext } from './container-setup.js';
export type { ExecSession } from './container-setup.js';
export { events } from './events.js';
export { backoffDelay, DEFAULT_RESTART_BACKOFF, effectiveBackoff, NO_RESTART, RESTART_POLICIES, RESTART_TIMER, shouldComeBack, shouldRestart } from './restart-policy.js';
export type { RestartBackoff, RestartPolicyName, RestartSpec, RestartState } from './restart-policy.js';
export type {
  CommandEvent,
  ContainerEvent,
  DeadlineEvent,
  EffectOutput,
  EffectResultEvent,
  ExecEvent,
  CheckpointEvent,
  ExecRequest,
  Observed,
  ObservedStatus,
  RestartTimerEvent,
  RuntimeEvent,
  RuntimeFailure,
  TimerEvent,
} from './events.js';
export { statusOf, activityOf, STATUSES } from './status.js';
export type { Status } from './status.js';
export { ARGLESS_COMMANDS, COMMAND_TABLE, COMMANDS, INTERNAL_COMMANDS, commandToEvent, isCommandName, isTableCommand } from './commands.js';
export { BATCHABLE, type BatchStep } from './commands.js';
export type { CommandArgs, CommandContext, CommandName, ParsedCommand, TableCommand } from './commands.js';
export { describeGuard } from './describe.js';
export { podmanEventOf } from './podman-events.js';
export type { TransitionShape } from './podman-events.js';
export { PODMAN_EVENT_NAMES, isPodmanEventName } from './podman-event-names.js';
export type { PodmanEventName } from './podman-event-names.js';
