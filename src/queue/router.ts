/**
 * The entry queue: any BullMQ producer, in any language, adds a command to one queue ("entry")
 * without knowing which node hosts the container. Every worker runs a router on it; the queue's
 * global concurrency is 1, so commands are given their mailbox places in the order they were
 * added. The router places the command (seq) and adds it to the node's queue as a child job, then
 * waits for it (BullMQ's waiting-children), so the entry job completes with the child's result or
 * fails with its error.
 */
import { randomBytes } from 'node:crypto';
import { UnrecoverableError, WaitingChildrenError, type Job, type Queue } from 'bullmq';
import { BerthError, noSuchContainer, toBerthError } from '../errors.js';
import { defaultName } from '../actors/create.js';
import type { Inspect } from '../actors/inspect.js';
import type { ContainerStore } from '../store/containers.js';
import { commandIds, type Keys } from '../store/keys.js';
import type { NodeRegistry } from '../store/nodes.js';
import { encodeFailure, INTERNAL_COMMANDS, parseJobCommand } from './contract.js';
import { JOB_DEFAULTS, isTransient, retryLater, seqJobId } from './jobs.js';

export const ENTRY_QUEUE = 'entry';

interface Routed {
  routedTo?: { queue: string; jobId: string };
}

export class Router {
  constructor(
    private readonly store: ContainerStore,
    private readonly nodes: NodeRegistry,
    private readonly keys: Keys,
    private readonly nodeQueue: (node: string) => Queue,
  ) {}

  async process(job: Job, token: string | undefined): Promise<Inspect> {
    try {
      const data = (typeof job.data === 'object' && job.data !== null ? job.data : {}) as Record<string, unknown> & Routed;
      if (data.routedTo) return await this.collect(job, token);
      const { command: _ignored, ...rest } = data;
      const cmd = parseJobCommand({ command: job.name, ...rest, ...(data['command'] ? { command: data['command'] } : {}) });
      if (INTERNAL_COMMANDS.has(cmd.command) || cmd.seq !== undefined) {
        throw new BerthError('EINVAL', `"${cmd.command}" with a seq is internal to Berth; queue user commands only`);
      }
      let node: string;
      let id: string;
      let seq: number;
      let child: Record<string, unknown>;
      if (cmd.command === 'create') {
        id = cmd.container ?? randomBytes(32).toString('hex');
        // kept in the job first, so that a re-run (a stall, a transient failure) creates the same container
        if (cmd.container === undefined) await job.updateData({ ...data, container: id });
        const spec = { ...cmd.spec, name: cmd.spec.name ?? defaultName(id) };
        // a node named by the producer must be live now: nothing would ever take the command
        if (spec.node !== undefined && !(await this.nodes.isLive(spec.node))) {
          throw new BerthError('EUNAVAIL', `node "${spec.node}" is not live: no worker heartbeats for it`);
        }
        node = spec.node ?? (await this.nodes.place(spec.constraints));
        // the entry job's id makes a re-run of this job (after a stall) find its first placement
        seq = await this.store.enqueue(id, JSON.stringify({ command: 'create', container: id, spec }), { create: { name: spec.name }, commandId: commandIds.entry(job.id) });
        child = { command: 'create', container: id, spec, seq, ...(cmd.traceparent === undefined ? {} : { traceparent: cmd.traceparent }) };
      } else {
        id = await this.store.resolve(cmd.container);
        const record = await this.store.get(id);
        if (!record) throw noSuchContainer(cmd.container);
        node = record.node;
        const { seq: _s, ...args } = { ...cmd, container: id };
        seq = await this.store.enqueue(id, JSON.stringify(args), { commandId: commandIds.entry(job.id) });
        child = { ...args, seq };
      }
      const jobId = seqJobId(id, seq);
      const queue = this.nodeQueue(node);
      await queue.add(child['command'] as string, child, {
        ...JOB_DEFAULTS,
        jobId,
        parent: { id: job.id!, queue: job.queueQualifiedName },
        ignoreDependencyOnFailure: true,
      });
      await job.updateData({ ...data, routedTo: { queue: this.keys.nodeQueue(node), jobId } });
      return await this.collect(job, token);
    } catch (err) {
      if (err instanceof WaitingChildrenError || err instanceof UnrecoverableError) throw err;
      const e = toBerthError(err);
      // routing is idempotent (the command id, the child's job id): a transient failure routes again
      if (isTransient(e)) return retryLater(job, token, e);
      throw new UnrecoverableError(encodeFailure(e));
    }
  }

  /**
   * Waits for the routed child (BullMQ's waiting-children), then its result is the entry job's and
   * its failure the entry job's failure. A re-run of a job already routed (after a stall or a
   * transient error) comes here too, and waits again while the child is not done.
   */
  private async collect(job: Job, token: string | undefined): Promise<Inspect> {
    if (token && (await job.moveToWaitingChildren(token))) throw new WaitingChildrenError();
    const values = Object.values(await job.getChildrenValues<Inspect>());
    if (values[0]) return values[0];
    const failures = Object.values(await job.getIgnoredChildrenFailures());
    throw new UnrecoverableError(failures[0] ?? 'EINTERNAL: the routed command left no result');
  }
}
