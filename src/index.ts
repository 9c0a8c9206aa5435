/**
 * Berth's TypeScript API. `Berth.connect({ redis })` gives a client whose methods queue commands
 * as BullMQ jobs and resolve to Podman-shaped inspect objects; errors are BerthError with a code.
 * Only the API, its types and the job contract's are exported: README.md's "API surface" lists
 * them, and test/docs/api-surface.test.ts fails when this list and that one differ.
 */
export { Berth, BerthClient } from './queue/client.js';
export type { ConnectOptions, Enqueued, EnqueueArgs, EnqueueCommand } from './queue/client.js';
export type { BatchStep } from './machines/index.js';
export type { WaitCondition, WaitOptions } from './queue/wait-condition.js';
export { BerthError, ERROR_CODES, isBerthError } from './errors.js';
export type { ErrorCode, SerializedError } from './errors.js';
export type { Inspect, InspectState } from './actors/inspect.js';
export type { ContainerSpecInput, ContainerSpec } from './spec.js';
export type { HistoryEntry } from './store/records.js';
export type { NodeHost, NodeStatus } from './store/nodes.js';
export type { BinaryVersion, RuntimeDescription } from './oci/versions.js';
export type { ContainerCounts, RedisInfo, SystemInfo } from './queue/system-info.js';
export type { TransitionEvent } from './store/events.js';
export { LogStream } from './queue/log-reader.js';
export { EventStream } from './queue/event-stream.js';
export type { BerthEvent } from './queue/berth-event.js';
export type { EventsOptions, EventFilter } from './queue/event-options.js';
export type { ExecHandle, ExecOptions, ExecStdin } from './queue/exec-client.js';
export type { CheckpointApiOptions, RestoreApiOptions } from './queue/checkpoint-client.js';
export type { ExecInspect } from './queue/exec-inspect.js';
export type { LogEnd, LogLine, LogsOptions } from './queue/log-reader.js';
export type { Attachment, AttachOptions } from './queue/attach.js';
export type { ContainerSize, StorageClient } from './queue/storage-client.js';
export type { HealthcheckResult } from './queue/healthcheck-client.js';
export type { HealthcheckInput } from './healthcheck.js';
export { COMMANDS, PODMAN_EVENT_NAMES } from './machines/index.js';
export type { CommandName, Status, PodmanEventName } from './machines/index.js';
export { commandSchema, parseJobCommand } from './queue/contract.js';
export type { JobCommand } from './queue/contract.js';
export { startTracing } from './telemetry/tracing.js';
export type { Tracing, TracingOptions } from './telemetry/tracing.js';
// images (issue #11)
export type { ImageClient, ImageJobOptions, NodeImage } from './queue/image-client.js';
export type { ImageConfig, ImageRecord } from './images/types.js';
