/**
 * queue: BullMQ.
 * - contract.ts: the job contract and its schemas (from the command table); jobs.ts: job options,
 *   wake-up jobs and transient retries;
 * - the producer side: client.ts (the TS API, a BerthReader that also queues commands), submit.ts
 *   (a command's mailbox place and job, with the active trace's traceparent), client-span.ts (its span),
 *   reader.ts (read-only, as BullMQ's QueueGetters), completion.ts (when a stop or restart is
 *   done), node-queues.ts (a node's queue and its events), resolver.ts (names to Ids and nodes);
 * - the node side: worker.ts (start, recovery, shutdown), processor.ts (a node queue's jobs),
 *   exits.ts (exit delivery), scheduler.ts (durable timers and cleanup requests), waker.ts
 *   (applying internal entries in-process), router.ts (the entry queue), reaper.ts (dead
 *   siblings' jobs), worker-options.ts (its options), output-shipper.ts (containers' output to
 *   their streams), log-reader.ts (reading them), timer-job.ts (a durable timer firing),
 *   readable-worker.ts (a BullMQ worker that survives a job it cannot read), worker-metrics.ts
 *   (the worker's Prometheus metrics and where their gauges are read);
 * - events: event-stream.ts (client.events, an async iterable), event-options.ts (its options and
 *   filters), berth-event.ts (a transition as a Podman event).
 */
export { Berth, BerthClient } from './client.js';
export type { ConnectOptions, Enqueued, EnqueueArgs } from './client.js';
export { LogStream } from './log-reader.js';
export type { LogEnd, LogLine, LogsOptions } from './log-reader.js';
export type { Attachment, AttachOptions } from './attach.js';
export { parseLogTime } from './log-time.js';
export { EventStream } from './event-stream.js';
export type { EventStreamDeps } from './event-stream.js';
export { parseEventsOptions, parseFilterFlags, FILTER_KEYS } from './event-options.js';
export type { EventsOptions, EventFilter, FilterKey, ParsedEventsOptions } from './event-options.js';
export { toBerthEvent, matchesFilter } from './berth-event.js';
export type { BerthEvent } from './berth-event.js';
export { BerthWorker, DEFAULT_WORKER_OPTIONS, validateWorkerOptions } from './worker.js';
export type { WorkerOptions } from './worker.js';
export { commandSchema, parseJobCommand, encodeFailure, decodeFailure, INTERNAL_COMMANDS } from './contract.js';
export type { JobCommand, JobCommandName } from './contract.js';
export { JOB_DEFAULTS } from './jobs.js';
