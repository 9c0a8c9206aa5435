/**
 * What Berth keeps per container, as read back from Redis and validated (a record that does not
 * parse is reported as corrupt, never trusted).
 */
import { z } from 'zod';
import { BerthError } from '../errors.js';
import { seccompProfileSchema } from '../seccomp-profile.js';
import { DEFAULT_PIDS_LIMIT } from '../oci/types.js';
import type { ContainerSpec } from '../spec.js';
import { storedHealthConfigSchema } from '../healthcheck.js';

export interface ContainerRecord {
  id: string;
  name: string;
  node: string;
  spec: ContainerSpec;
  /** The machine snapshot envelope (JSON). */
  snapshot: string;
  status: string;
  created: string;
  version: number;
  epoch: number;
  applied: number;
  /** The last step's effects other than runtime calls (JSON), '' for none (actors/host.ts). */
  effects: string;
  /** The inspect object as the last commit left it (JSON), '' in records written before it was kept. */
  inspect: string;
  /** Durable timers pending, by id (actors/timers.ts). */
  timers: Record<string, PendingTimer>;
}

/** A durable timer pending: the commit version that scheduled it, when it is due, what it delivers. */
export interface PendingTimer {
  v: number;
  /** Epoch ms. */
  due: number;
  event: { type: string } & Record<string, unknown>;
}

const pendingTimerSchema = z.object({ v: z.number().int(), due: z.number(), event: z.looseObject({ type: z.string() }) });

/** One line of a container's history. */
export interface HistoryEntry {
  from: string;
  to: string;
  command: string;
  jobId: string;
  node: string;
  at: string;
  ms: number;
}

const specSchema = z.object({
  name: z.string(),
  rootfs: z.string(),
  command: z.array(z.string()),
  env: z.array(z.string()),
  workdir: z.string(),
  hostname: z.string(),
  stopSignal: z.string(),
  stopTimeout: z.number(),
  node: z.string().optional(),
  // isolation came later: a record written before reads with today's defaults
  network: z.enum(['none', 'host']).default('none'),
  seccomp: z.union([z.enum(['default', 'unconfined']), seccompProfileSchema]).default('default'),
  pidsLimit: z.number().default(DEFAULT_PIDS_LIMIT),
  // -i and -t came later still: a record written before has neither
  stdin: z.boolean().default(false),
  tty: z.boolean().default(false),
  // storage (issue 11): containers from images; absent in records of --rootfs containers
  image: z.object({ id: z.string(), name: z.string() }).optional(),
  layers: z.array(z.string()).optional(),
  user: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  readOnly: z.boolean().optional(),
  // dependencies came with issue 12: absent means none
  requires: z.array(z.string()).optional(),
  // restart policies came later (absent: no policy)
  restart: z
    .object({
      policy: z.enum(['no', 'on-failure', 'always', 'unless-stopped']),
      retries: z.number(),
      backoff: z.object({ initialMs: z.number().optional(), maxMs: z.number().optional(), resetMs: z.number().optional() }).optional(),
    })
    .optional(),
  // health checks (issue 13): a record written before has none
  healthcheck: storedHealthConfigSchema.nullable().optional(),
});

const int = z.coerce.number().int();
const recordSchema = z.object({
  id: z.string(),
  name: z.string(),
  node: z.string(),
  spec: z.string().transform((s, ctx) => {
    try {
      return specSchema.parse(JSON.parse(s));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'spec is not valid JSON' });
      return z.NEVER;
    }
  }),
  snapshot: z.string(),
  status: z.string(),
  created: z.string(),
  version: int,
  epoch: int,
  applied: int,
  effects: z.string().default(''),
  inspect: z.string().default(''),
  timers: z
    .string()
    .default('{}')
    .transform((s, ctx) => {
      try {
        return z.record(z.string(), pendingTimerSchema).parse(JSON.parse(s)) as Record<string, PendingTimer>;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'timers are not a JSON map of pending timers' });
        return z.NEVER;
      }
    }),
});

export function parseRecord(hash: Record<string, string>, id: string): ContainerRecord | null {
  if (Object.keys(hash).length === 0) return null;
  const parsed = recordSchema.safeParse(hash);
  if (!parsed.success) {
    throw new BerthError('EINTERNAL', `record of container ${id} is corrupt: ${parsed.error.issues[0]?.message ?? ''}`, {
      container: id,
    });
  }
  return { ...parsed.data, spec: { ...parsed.data.spec, node: parsed.data.spec.node } };
}

const historySchema = z.object({
  from: z.string(),
  to: z.string(),
  command: z.string(),
  jobId: z.string(),
  node: z.string(),
  at: z.string(),
  ms: z.number(),
});

export function parseHistory(line: string): HistoryEntry {
  return historySchema.parse(JSON.parse(line));
}
