/**
 * queue: BullMQ. The job contract and its schemas (contract.ts), the producer/TS API (client.ts),
 * the node worker that processes commands (worker.ts), shared job options (jobs.ts).
 */
export { Berth, BerthClient } from './client.js';
export type { ConnectOptions, Enqueued, EnqueueArgs } from './client.js';
export { LogStream } from './log-reader.js';
export type { LogEnd, LogLine, LogsOptions } from './log-reader.js';
export { parseLogTime } from './log-time.js';
export { BerthWorker, DEFAULT_WORKER_OPTIONS, validateWorkerOptions } from './worker.js';
export type { WorkerOptions } from './worker.js';
export { commandSchema, parseJobCommand, encodeFailure, decodeFailure, INTERNAL_COMMANDS } from './contract.js';
export type { JobCommand, JobCommandName } from './contract.js';
export { JOB_DEFAULTS } from './jobs.js';
