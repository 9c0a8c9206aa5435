/** The client's options and the shapes its enqueue returns (client.ts). */
import type { Inspect } from '../actors/inspect.js';
import type { BatchStep, CommandArgs, CommandName } from '../machines/index.js';

export interface ConnectOptions {
  /** redis://, rediss:// or unix:// URL. */
  redis: string;
  /** Key prefix, a hash tag (default "{berth}"). */
  prefix?: string;
  /** How long to wait for Redis before failing with EUNAVAIL (default 5000 ms). */
  timeoutMs?: number;
}

export interface Enqueued {
  jobId: string;
  /** Resolves to the container's inspect object once the command is applied. */
  result(): Promise<Inspect>;
}

export type EnqueueArgs = { timeout?: number; signal?: string; force?: boolean; steps?: BatchStep[] } & Partial<CommandArgs<'exec'>> & Partial<CommandArgs<'checkpoint'>> & Partial<CommandArgs<'restore'>>;

/** The commands `enqueue` takes: the user commands and `batch` (issue 12). */
export type EnqueueCommand = CommandName | 'batch';
