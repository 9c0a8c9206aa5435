/**
 * The producer side: Berth's TypeScript API. Every command is queued as a BullMQ job on the
 * container's node queue, after its place in the container's mailbox is fixed (seq); results come
 * back through QueueEvents. Reads (inspect, list, history) go straight to the store. Waiting for a
 * state (wait, stop, restart) follows the events stream from a cursor taken before the command.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { BerthError, toBerthError } from '../errors.js';
import type { Inspect } from '../actors/inspect.js';
import { inspectFrom, type NodeView } from '../actors/inspect.js';
import { defaultName } from '../actors/create.js';
import { COMMAND_TABLE, isCommandName, type CommandName } from '../machines/index.js';
import type { LogLine } from '../oci/types.js';
import { containerSpecSchema, describeIssues, type ContainerSpecInput } from '../spec.js';
import { ContainerStore } from '../store/containers.js';
import { EventFeed, type TransitionEvent } from '../store/events.js';
import { Keys } from '../store/keys.js';
import { NodeRegistry, type NodeStatus } from '../store/nodes.js';
import type { HistoryEntry } from '../store/records.js';
import { closeRedis, connectRedis, DEFAULT_CONNECT_TIMEOUT_MS, isUp } from '../store/redis.js';
import { decodeFailure, isBerthFailure } from './contract.js';
import { JOB_DEFAULTS, seqJobId } from './jobs.js';
import { Resolver, type Located } from './resolver.js';

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

export type EnqueueArgs = { timeout?: number; signal?: string; force?: boolean };

const STOPPED_STATES = new Set(['stopped', 'exited', 'removed']);

export class BerthClient {
  private readonly queues = new Map<string, { queue: Queue; events: QueueEvents }>();
  private feed: EventFeed | undefined;
  private closing: Promise<void> | undefined;
  private readonly resolver: Resolver;
  /** ENOCTR from an enqueue (nothing was queued): only these make a remembered name stale. */
  private readonly refusedAtEnqueue = new WeakSet<BerthError>();

  private constructor(
    private readonly opts: Required<ConnectOptions>,
    private readonly redis: Redis,
    readonly keys: Keys,
    readonly store: ContainerStore,
    readonly nodes: NodeRegistry,
  ) {
    this.resolver = new Resolver(store);
  }

  static async connect(options: ConnectOptions): Promise<BerthClient> {
    const opts = { prefix: '{berth}', timeoutMs: DEFAULT_CONNECT_TIMEOUT_MS, ...options };
    const keys = new Keys(opts.prefix);
    const redis = await connectRedis(opts.redis, { timeoutMs: opts.timeoutMs, name: 'berth-client' });
    return new BerthClient(opts, redis, keys, new ContainerStore(redis, keys), new NodeRegistry(redis, keys));
  }

  /** Creates a container (state configured) on its node; resolves to its inspect object. */
  create(spec: ContainerSpecInput): Promise<Inspect> {
    return guard(this.createOne(spec));
  }

  private async createOne(spec: ContainerSpecInput): Promise<Inspect> {
    const parsed = containerSpecSchema.safeParse(spec);
    if (!parsed.success) throw new BerthError('EINVAL', `invalid container spec: ${describeIssues(parsed.error)}`);
    const id = randomBytes(32).toString('hex');
    const name = parsed.data.name ?? defaultName(id);
    const node = parsed.data.node ?? (await this.nodes.place(parsed.data.constraints));
    if (parsed.data.node && !(await this.nodes.isLive(node))) {
      throw new BerthError('EUNAVAIL', `node "${node}" is not live: no worker heartbeats for it`);
    }
    const data = { ...parsed.data, name };
    const { job } = await this.submit(node, id, { command: 'create', container: id, spec: data }, name);
    const created = await this.finished(node, job);
    this.resolver.remember(name, id, node);
    return created;
  }

  /** Queues a command without waiting for it. */
  async enqueue(nameOrId: string, command: CommandName, args: EnqueueArgs = {}): Promise<Enqueued> {
    if (!isCommandName(command)) throw new BerthError('EINVAL', `unknown command "${String(command)}"`);
    const data = this.validateArgs(command, args);
    return guard(this.notQueued(
      this.located(nameOrId, async (at) => {
        const { job, jobId } = await this.notQueued(this.submit(at.node, at.id, { command, container: at.id, ...data }));
        return { jobId, result: () => this.finished(at.node, job) };
      }),
    ));
  }

  /** Marks an ENOCTR as "nothing was queued": the container is gone (looked up, or refused by its mailbox). */
  private notQueued<T>(p: Promise<T>): Promise<T> {
    return p.catch((err: unknown) => {
      if (err instanceof BerthError && err.code === 'ENOCTR') this.refusedAtEnqueue.add(err);
      throw err;
    });
  }

  /**
   * Runs `fn` on where the container is. A remembered name whose container has gone since (its
   * mailbox refused the command: ENOCTR) may name another container now: it is resolved afresh
   * and `fn` runs once more. Any other ENOCTR (say a read after the command was answered) is
   * the caller's, never a reason to run the command on another container.
   */
  private async located<T>(nameOrId: string, fn: (at: Located) => Promise<T>): Promise<T> {
    const at = await this.resolver.locate(nameOrId);
    try {
      return await fn(at);
    } catch (err) {
      if (!(at.remembered && err instanceof BerthError && this.refusedAtEnqueue.has(err))) throw err;
      this.resolver.forget(nameOrId);
      return fn(await this.resolver.locate(nameOrId));
    }
  }

  /**
   * Gives a command its place in the container's mailbox, then queues its job. Both steps are
   * retried with backoff while Redis is unreachable, idempotently (a command id makes a repeated
   * enqueue return the same seq; the job id is derived from the seq), so a command is either
   * confirmed or reported as not confirmed: it is never applied behind a reported failure unknowingly.
   */
  private async submit(node: string, id: string, entry: Record<string, unknown> & { command: string }, createName?: string): Promise<{ job: Job; jobId: string }> {
    const commandId = randomUUID();
    const deadline = Date.now() + this.opts.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const seq = await this.store.enqueue(id, JSON.stringify(entry), { commandId, ...(createName === undefined ? {} : { create: { name: createName } }) });
        const jobId = seqJobId(id, seq);
        return { job: await this.add(node, entry.command, { ...entry, seq }, jobId), jobId };
      } catch (err) {
        if (err instanceof BerthError && err.code !== 'EUNAVAIL') throw err; // refused, not unreachable
        if (Date.now() >= deadline) {
          const reason = err instanceof Error ? err.message : String(err);
          throw new BerthError('EUNAVAIL', `${entry.command} of container ${createName ?? id} not confirmed within ${this.opts.timeoutMs} ms (${reason}); it may still be applied`, {
            container: createName ?? id,
            command: entry.command,
            cause: err,
          });
        }
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  }

  /** The command's arguments, checked by the command table (machines/commands.ts); others are dropped. */
  private validateArgs(command: CommandName, args: EnqueueArgs): EnqueueArgs {
    const parsed = COMMAND_TABLE[command].args.safeParse(args);
    if (!parsed.success) throw new BerthError('EINVAL', `invalid arguments for ${command}: ${describeIssues(parsed.error)}`);
    return parsed.data as EnqueueArgs;
  }

  private async run(nameOrId: string, command: CommandName, args: EnqueueArgs = {}): Promise<Inspect> {
    const { result } = await this.enqueue(nameOrId, command, args);
    return guard(result());
  }

  init(name: string): Promise<Inspect> {
    return this.run(name, 'init');
  }

  /** Starts a configured, created, stopped or exited container; a running one is left as is. */
  async start(name: string): Promise<Inspect> {
    try {
      return await this.run(name, 'start');
    } catch (err) {
      if (err instanceof BerthError && err.code === 'ECTRRUNNING') return this.inspect(name);
      throw err;
    }
  }

  /** Sends the stop signal, SIGKILL after `timeout` s; resolves once the container is cleaned up. */
  stop(name: string, opts: { timeout?: number } = {}): Promise<Inspect> {
    return guard(this.located(name, ({ id }) => this.stopById(id, opts)));
  }

  private async stopById(id: string, opts: { timeout?: number }): Promise<Inspect> {
    const { cursor } = await this.store.readWithCursor(id);
    let after: Inspect;
    try {
      after = await this.run(id, 'stop', opts);
    } catch (err) {
      // stop of a stopped or never-started container is success (Podman 4+)
      if (err instanceof BerthError && (err.code === 'ECTRSTOPPED' || (err.code === 'ECTRSTATE' && err.state === 'configured'))) {
        return this.inspect(id);
      }
      throw err;
    }
    if (after.State.Status === 'exited' || after.State.Status === 'configured') return after;
    const done = await this.events().waitFor(
      cursor,
      (e) => e.id === id && (e.state.State.Status === 'exited' || e.state.State.Status === 'removed' || cleanupFailed(e)),
    );
    return done.state as unknown as Inspect;
  }

  kill(name: string, opts: { signal?: string } = {}): Promise<Inspect> {
    return this.run(name, 'kill', { signal: opts.signal ?? 'SIGKILL' });
  }

  pause(name: string): Promise<Inspect> {
    return this.run(name, 'pause');
  }

  unpause(name: string): Promise<Inspect> {
    return this.run(name, 'unpause');
  }

  /** Stops (with `timeout`) and starts again; resolves once it runs. */
  restart(name: string, opts: { timeout?: number } = {}): Promise<Inspect> {
    return guard(this.located(name, ({ id }) => this.restartById(id, name, opts)));
  }

  private async restartById(id: string, name: string, opts: { timeout?: number }): Promise<Inspect> {
    const { cursor } = await this.store.readWithCursor(id);
    const after = await this.run(id, 'restart', opts);
    if (after.State.Status === 'running') return after;
    // the exit that ends the stop starts it again; a failed start rests with State.Error set
    const done = await this.events().waitFor(
      cursor,
      (e) =>
        e.id === id &&
        e.version > after.Version &&
        e.state.State.Activity === '' &&
        (e.state.State.Status === 'running' || (e.state.State.Error !== '' && e.state.State.Status !== 'stopping')),
    );
    if (done.state.State.Status !== 'running') {
      throw new BerthError('EOCI', `restart of container ${name} failed: ${done.state.State.Error}`, { container: name, command: 'restart' });
    }
    return done.state as unknown as Inspect;
  }

  /** Removes a container; `force` kills it first, whatever its state. */
  remove(name: string, opts: { force?: boolean } = {}): Promise<Inspect> {
    return this.run(name, 'remove', { force: opts.force === true });
  }

  /** Resolves to the exit code once the container has stopped (now or later). */
  wait(name: string): Promise<number> {
    return guard(this.waitFor(name));
  }

  private async waitFor(name: string): Promise<number> {
    const id = await this.store.resolve(name);
    const { record, cursor } = await this.store.readWithCursor(id);
    if (!record) throw new BerthError('ENOCTR', `no such container ${name}`, { container: name });
    const now = inspectFrom(record);
    if (STOPPED_STATES.has(now.State.Status)) return now.State.ExitCode;
    const done = await this.events().waitFor(cursor, (e) => e.id === id && STOPPED_STATES.has(e.state.State.Status));
    return done.state.State.ExitCode;
  }

  inspect(name: string): Promise<Inspect> {
    return guard(
      (async () => {
        const id = await this.store.resolve(name);
        const record = await this.store.get(id);
        if (!record) throw new BerthError('ENOCTR', `no such container ${name}`, { container: name });
        return inspectFrom(record, undefined, this.nodeView(record.node, await this.nodes.lost()));
      })(),
    );
  }

  private nodeView(node: string, lost: Map<string, string | null>): NodeView {
    return { lost: lost.has(node), lastHeartbeat: lost.get(node) ?? null };
  }

  /** All containers, oldest first; only running ones unless `all`. */
  async list(opts: { all?: boolean } = {}): Promise<Inspect[]> {
    const [records, lost] = await guard(Promise.all([this.store.list(), this.nodes.lost()]));
    const all = records.map((r) => inspectFrom(r, undefined, this.nodeView(r.node, lost))).sort((a, b) => a.Created.localeCompare(b.Created));
    return opts.all ? all : all.filter((c) => c.State.Status === 'running');
  }

  history(name: string): Promise<HistoryEntry[]> {
    return guard(this.store.resolve(name).then((id) => this.store.history(id)));
  }

  /** Captured stdout/stderr, read on the container's node. */
  logs(name: string): Promise<LogLine[]> {
    return guard(this.logsOf(name));
  }

  private async logsOf(name: string): Promise<LogLine[]> {
    const id = await this.store.resolve(name);
    const record = await this.store.get(id);
    if (!record) throw new BerthError('ENOCTR', `no such container ${name}`, { container: name });
    const job = await this.add(record.node, 'logs', { container: id }, undefined);
    return this.finished(record.node, job) as unknown as Promise<LogLine[]>;
  }

  nodeList(): Promise<NodeStatus[]> {
    return guard(this.nodes.list());
  }

  /** The transition events stream, shared by every waiter of this client. */
  events(): EventFeed {
    if (!this.feed) {
      this.feed = new EventFeed(this.redis, this.duplicateBlocking('berth-client-events'), this.keys);
    }
    return this.feed;
  }

  private node(node: string): { queue: Queue; events: QueueEvents } {
    let q = this.queues.get(node);
    if (!q) {
      const name = this.keys.nodeQueue(node);
      q = {
        queue: new Queue(name, { connection: this.redis, prefix: this.keys.queuePrefix }),
        events: new QueueEvents(name, { connection: this.duplicateBlocking('berth-client-qe'), prefix: this.keys.queuePrefix }),
      };
      q.queue.setMaxListeners(0);
      q.events.setMaxListeners(0);
      // connection errors while Redis restarts: the connection retries, and the commands they
      // affect fail on their own; without listeners BullMQ would print each one
      q.queue.on('error', () => undefined);
      q.events.on('error', () => undefined);
      this.queues.set(node, q);
    }
    return q;
  }

  private duplicateBlocking(name: string): Redis {
    const conn = this.redis.duplicate({ maxRetriesPerRequest: null, connectionName: name });
    conn.on('error', () => undefined); // reconnects are retried; waiters fail on their own
    return conn;
  }

  private async add(node: string, name: string, data: Record<string, unknown>, jobId: string | undefined): Promise<Job> {
    const { queue, events } = this.node(node);
    await events.waitUntilReady();
    return queue.add(name, data, { ...JOB_DEFAULTS, ...(jobId ? { jobId } : {}) });
  }

  private async finished(node: string, job: Job): Promise<Inspect> {
    try {
      return (await job.waitUntilFinished(this.node(node).events)) as Inspect;
    } catch (err) {
      if (!(err instanceof Error) || err instanceof BerthError) throw toBerthError(err);
      const e = decodeFailure(err.message);
      // a job that failed for want of Redis (or a stall) left its command in the mailbox, to be applied
      if (e.code !== 'EUNAVAIL' && isBerthFailure(err.message)) throw e;
      const target = typeof job.data['container'] === 'string' ? job.data['container'] : '';
      throw new BerthError('EUNAVAIL', `${job.name} of container ${target} not confirmed (${e.message}); it may still be applied`, { container: target, command: job.name, cause: err });
    }
  }

  /** Closes every connection this client opened. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.feed?.close().catch(() => undefined);
      for (const { queue, events } of this.queues.values()) {
        // BullMQ's close would wait for good on a connection between reconnection attempts
        const conn = await events.backend.client;
        if (isUp(conn)) await events.close().catch(() => undefined);
        else conn.disconnect();
        await queue.close().catch(() => undefined);
      }
      await closeRedis(this.redis);
    })();
    return this.closing;
  }
}

/** The API's boundary: whatever a call throws reaches the caller as a BerthError (EUNAVAIL for Redis). */
function guard<T>(p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => {
    throw toBerthError(err);
  });
}

function cleanupFailed(e: TransitionEvent): boolean {
  return e.state.State.Status === 'stopped' && e.command.startsWith('cleanup') && e.to === 'stopped';
}

/** `Berth.connect({ redis })`: the package's entry point. */
export const Berth = {
  connect: (options: ConnectOptions): Promise<BerthClient> => BerthClient.connect(options),
};
