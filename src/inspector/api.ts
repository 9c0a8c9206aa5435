/**
 * The JSON API behind the page. Reads go straight to the store (the same data `berth inspect`,
 * `berth history` and `berth node ls` print); a command is checked against the machine first
 * (refused: 409, with the reason), then queued like any other and awaited for a while.
 * Input is validated here, at the boundary, with zod; every error is a BerthError.
 */
import { z } from 'zod';
import { inspectFrom, type Inspect } from '../actors/inspect.js';
import { hydrateSnapshot } from '../actors/snapshot.js';
import { accepts, positionOf } from '../actors/step.js';
import { BerthError, noSuchContainer, stateError } from '../errors.js';
import type { Logger } from '../log.js';
// the commands a button sends: those without arguments of their own (exec is the CLI's and the API's)
import { ARGLESS_COMMANDS as COMMANDS, type CommandName } from '../machines/index.js';
import type { BerthClient } from '../queue/client.js';
import type { NodeStatus } from '../store/nodes.js';
import type { HistoryEntry } from '../store/records.js';
import { describeIssues } from '../spec.js';
import { commandEvent, commandsFor, pathOf, type CommandInfo } from './chart.js';
import { latestStreamId } from './live.js';
import type { QueueView, QueueWatch, JobView } from './queues.js';

export interface ApiContext {
  client: BerthClient;
  queues: QueueWatch;
  log: Logger;
  commandWaitMs: number;
}

export interface ContainerList {
  /** The events stream's id when the list was read: pass it to /api/events?since= to miss nothing. */
  cursor: string;
  containers: Inspect[];
}

export interface ContainerDetail {
  container: Inspect;
  /** "running", "running.pausing": the chart node it is in. */
  path: string;
  commands: CommandInfo[];
}

export interface ContainerHistory {
  id: string;
  name: string;
  history: HistoryEntry[];
}

export interface NodeView extends NodeStatus {
  /** Jobs the node's worker is running now, next to its concurrency and container count. */
  load: { active: number; waiting: number; concurrency: number; containers: number };
}

export type CommandOutcome = { jobId: string; pending: false; container: Inspect } | { jobId: string; pending: true };

export const nameSchema = z.string().min(1, 'container name is empty').max(253);
export const commandSchema = z.enum(COMMANDS, { error: (i) => `unknown command ${JSON.stringify(i.input)}; one of ${COMMANDS.join(', ')}` });
export const commandBodySchema = z
  .object({
    timeout: z.number().int().min(0).max(86_400).optional(),
    signal: z.string().min(1).max(32).optional(),
    force: z.boolean().optional(),
  })
  .strict();
const jobIdSchema = z.string().min(1).max(200);

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new BerthError('EINVAL', `invalid ${what}: ${describeIssues(r.error)}`);
  return r.data;
}

export async function listContainers(ctx: ApiContext): Promise<ContainerList> {
  // the cursor first: anything committed after it reaches the page as an event (pages skip stale versions)
  const cursor = await latestStreamId(ctx.client.store.redis, ctx.client.keys);
  const records = await ctx.client.store.list();
  const containers: Inspect[] = [];
  for (const record of records) {
    try {
      containers.push(inspectFrom(record));
    } catch (err) {
      ctx.log.warn({ err, container: record.id }, 'inspector: container left out of the list');
    }
  }
  containers.sort((a, b) => a.Created.localeCompare(b.Created) || a.Name.localeCompare(b.Name));
  return { cursor, containers };
}

async function recordOf(ctx: ApiContext, rawName: unknown) {
  const name = parse(nameSchema, rawName, 'container name');
  const id = await ctx.client.store.resolve(name);
  const record = await ctx.client.store.get(id);
  if (!record) throw noSuchContainer(name);
  return record;
}

export async function getContainer(ctx: ApiContext, name: unknown): Promise<ContainerDetail> {
  const container = inspectFrom(await recordOf(ctx, name));
  return { container, path: pathOf(container), commands: commandsFor(container) };
}

export async function getHistory(ctx: ApiContext, name: unknown): Promise<ContainerHistory> {
  const record = await recordOf(ctx, name);
  return { id: record.id, name: record.name, history: await ctx.client.store.history(record.id) };
}

export async function listQueues(ctx: ApiContext): Promise<QueueView[]> {
  const nodes = await ctx.client.nodeList();
  return Promise.all(nodes.map((n) => ctx.queues.view(n.name)));
}

export async function listNodes(ctx: ApiContext, views?: QueueView[]): Promise<NodeView[]> {
  const nodes = await ctx.client.nodeList();
  const counts = views
    ? new Map(views.map((v) => [v.node, v.counts] as const))
    : new Map(await Promise.all(nodes.map(async (n) => [n.name, await ctx.queues.counts(n.name)] as const)));
  return nodes.map((n) => {
    const c = counts.get(n.name);
    return { ...n, load: { active: c?.active ?? 0, waiting: c?.waiting ?? 0, concurrency: n.concurrency, containers: n.containers } };
  });
}

/**
 * Queues a command after asking the machine whether the container's current state accepts it.
 * Resolves with the state after the command once applied, or `pending` after `commandWaitMs`.
 */
export async function runCommand(ctx: ApiContext, rawName: unknown, rawCommand: unknown, body: unknown): Promise<CommandOutcome> {
  const command: CommandName = parse(commandSchema, rawCommand, 'command');
  const args = parse(commandBodySchema, body, 'command arguments');
  const record = await recordOf(ctx, rawName);
  const snapshot = hydrateSnapshot(record.snapshot, record.id);
  if (!accepts(snapshot, commandEvent(command, args))) {
    // the same error the worker gives: it names the status, as libpod does
    throw stateError(record.name, command, positionOf(snapshot).status);
  }
  const { jobId, result } = await ctx.client.enqueue(record.id, command, args);
  const settled = result().then(
    (container): CommandOutcome => ({ jobId, pending: false, container }),
    (err: unknown) => ({ err }),
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<CommandOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ jobId, pending: true }), ctx.commandWaitMs);
  });
  const outcome = await Promise.race([settled, late]);
  clearTimeout(timer);
  if ('err' in outcome) throw outcome.err;
  return outcome;
}

export async function retryJob(ctx: ApiContext, node: unknown, jobId: unknown): Promise<JobView> {
  const n = parse(z.string().min(1).max(253), node, 'node');
  if (!(await ctx.client.nodeList()).some((x) => x.name === n)) throw new BerthError('EINVAL', `no such node ${n}`);
  return ctx.queues.retry(n, parse(jobIdSchema, jobId, 'job id'));
}
