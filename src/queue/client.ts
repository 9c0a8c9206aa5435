/**
 * The producer side: Berth's TypeScript API. Every command is queued as a BullMQ job on the
 * container's node queue, after its place in the container's mailbox is fixed (seq). Reads are the
 * reader's (reader.ts); stop, restart and rm follow the events stream until their completion rule
 * holds (completion.ts); exec and attach stream from the node (exec-client.ts, attach.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { BerthError } from '../errors.js';
import type { Inspect } from '../actors/inspect.js';
import { defaultName } from '../actors/create.js';
import { isCommandName, type BatchStep } from '../machines/index.js';
import { containerSpecSchema, describeIssues, type ContainerSpecInput } from '../spec.js';
import { ContainerStore } from '../store/containers.js';
import { Keys } from '../store/keys.js';
import { NodeRegistry } from '../store/nodes.js';
import { closeRedis, connectRedis, DEFAULT_CONNECT_TIMEOUT_MS } from '../store/redis.js';
import { removeDone, restartDone, stopDone } from './completion.js';
import { execArgs, newSessionId, openExec, stdinWritable, type ExecHandle, type ExecOptions } from './exec-client.js';
import { StdinWriter } from './stdin-writer.js';
import { checkpointCommand, restoreCommand, type CheckpointApiOptions, type RestoreApiOptions } from './checkpoint-client.js';
import { runHealthcheck, type HealthcheckResult } from './healthcheck-client.js';
import { attach, type Attachment, type AttachOptions } from './attach.js';
import { validateCommandArgs } from './command-args.js';
import { StorageClient } from './storage-client.js';
import { submitCommand } from './submit.js';
import { clientSpan } from './client-span.js';
import { NodeQueues } from './node-queues.js';
import { ImageClient } from './image-client.js';
import { BerthReader, guard } from './reader.js';
import { Resolver, type Located } from './resolver.js';
import type { ConnectOptions, Enqueued, EnqueueArgs, EnqueueCommand } from './client-types.js';
import { removeWithDependents, startWithRequirements } from './requirements-client.js';

export type { ConnectOptions, Enqueued, EnqueueArgs, EnqueueCommand } from './client-types.js';

export class BerthClient extends BerthReader {
  private readonly queues: NodeQueues;
  private closing: Promise<void> | undefined;
  private readonly resolver: Resolver;
  /** ENOCTR from an enqueue (nothing was queued): only these make a remembered name stale. */
  private readonly refusedAtEnqueue = new WeakSet<BerthError>();

  private constructor(
    private readonly opts: Required<ConnectOptions>,
    redis: Redis,
    keys: Keys,
    store: ContainerStore,
    nodes: NodeRegistry,
  ) {
    super(redis, keys, store, nodes);
    this.resolver = new Resolver(store);
    this.queues = new NodeQueues(redis, keys, (name) => this.duplicateBlocking(name));
    this.storage = new StorageClient(store, this.queues, (n) => this.resolver.locate(n), (name) => this.duplicateBlocking(name), (n, c, a) => this.run(n, c, a));
  }
  /** Mount, unmount, size, export and artifacts of a container, answered by its node (storage-client.ts). */
  readonly storage: StorageClient;

  static async connect(options: ConnectOptions): Promise<BerthClient> {
    const opts = { prefix: '{berth}', timeoutMs: DEFAULT_CONNECT_TIMEOUT_MS, ...options };
    const keys = new Keys(opts.prefix);
    const redis = await connectRedis(opts.redis, { timeoutMs: opts.timeoutMs, name: 'berth-client' });
    return new BerthClient(opts, redis, keys, new ContainerStore(redis, keys), new NodeRegistry(redis, keys));
  }

  /** Creates a container (state configured) on its node; resolves to its inspect object. */
  create(spec: ContainerSpecInput): Promise<Inspect> {
    return guard(clientSpan('create', '', () => this.createOne(spec)));
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
    const created = await this.queues.finished(node, job);
    this.resolver.remember(name, id, node);
    return created;
  }

  /** Queues a command without waiting for it (its span ends once it is queued). */
  enqueue(nameOrId: string, command: EnqueueCommand, args: EnqueueArgs = {}): Promise<Enqueued> {
    return clientSpan(String(command), nameOrId, () => this.enqueueOne(nameOrId, command, args));
  }

  private async enqueueOne(nameOrId: string, command: EnqueueCommand, args: EnqueueArgs = {}): Promise<Enqueued> {
    if (!isCommandName(command) && command !== 'batch') throw new BerthError('EINVAL', `unknown command "${String(command)}"`);
    const data = validateCommandArgs(command, args);
    return guard(this.notQueued(
      this.located(nameOrId, async (at) => {
        const { job, jobId } = await this.notQueued(this.submit(at.node, at.id, { command, container: at.id, ...data }));
        return { jobId, result: () => this.queues.finished(at.node, job) };
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
   * Runs `fn` on where the container is. A remembered name whose container has gone since (its mailbox refused the
   * command: ENOCTR) may name another container now: resolved afresh, `fn` runs once more. Any other ENOCTR (a read
   * after the command was answered) is the caller's, never a reason to run the command on another container.
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

  /** Its place in the container's mailbox, then its job (submit.ts), carrying the active trace. */
  private submit(node: string, id: string, entry: Record<string, unknown> & { command: string }, createName?: string): Promise<{ job: Job; jobId: string }> {
    return submitCommand({ store: this.store, queues: this.queues, timeoutMs: this.opts.timeoutMs }, node, id, entry, createName);
  }

  /** Queues a command and waits for its job, in the command's span. */
  private run(nameOrId: string, command: EnqueueCommand, args: EnqueueArgs = {}): Promise<Inspect> {
    return clientSpan(command, nameOrId, async () => {
      const { result } = await this.enqueueOne(nameOrId, command, args);
      return guard(result());
    });
  }

  init(name: string): Promise<Inspect> { return this.run(name, 'init'); }

  /** Starts a configured, created, stopped or exited container, its requirements first (requirements-client.ts); a running one is left as is. */
  start(name: string): Promise<Inspect> {
    return guard(startWithRequirements({ store: this.store, startOne: (id) => this.startOne(id) }, name));
  }

  private async startOne(name: string): Promise<Inspect> {
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
    const done = await this.eventFeed().waitFor(cursor, (e) => stopDone(e, id));
    return done.state as unknown as Inspect;
  }

  kill(name: string, opts: { signal?: string } = {}): Promise<Inspect> {
    return this.run(name, 'kill', { signal: opts.signal ?? 'SIGKILL' });
  }

  pause(name: string): Promise<Inspect> { return this.run(name, 'pause'); }

  unpause(name: string): Promise<Inspect> { return this.run(name, 'unpause'); }

  /** Applies `steps` in order as one mailbox entry under one lease (actors/batch.ts); a failure names its step. */
  batch(name: string, steps: BatchStep[]): Promise<Inspect> { return this.run(name, 'batch', { steps }); }

  /** Stops (with `timeout`) and starts again; resolves once it runs. */
  restart(name: string, opts: { timeout?: number } = {}): Promise<Inspect> {
    return guard(this.located(name, ({ id }) => this.restartById(id, name, opts)));
  }

  private async restartById(id: string, name: string, opts: { timeout?: number }): Promise<Inspect> {
    const { cursor } = await this.store.readWithCursor(id);
    const after = await this.run(id, 'restart', opts);
    if (after.State.Status === 'running') return after;
    // the exit that ends the stop starts it again; a failed start rests with State.Error set
    const done = await this.eventFeed().waitFor(cursor, (e) => restartDone(e, id, after.Version));
    if (done.state.State.Status !== 'running') {
      throw new BerthError('EOCI', `restart of container ${name} failed: ${done.state.State.Error}`, { container: name, command: 'restart' });
    }
    return done.state as unknown as Inspect;
  }

  /**
   * Removes a container. `force` stops a running one first (its stop signal, SIGKILL after
   * `timeout` s, default its stop timeout; 0: at once) and kills one in any other state; resolves
   * once it is removed (or its deletion failed: State.Error says why). `depend`: the containers that
   * require it are removed first (Podman's rm --depend); without it, rm of a required one is refused.
   */
  remove(name: string, opts: { force?: boolean; timeout?: number; depend?: boolean } = {}): Promise<Inspect> {
    const one = (n: string) => guard(this.located(n, ({ id }) => this.removeById(id, opts)));
    return opts.depend ? guard(removeWithDependents({ store: this.store, removeOne: one }, name).then((all) => all[all.length - 1]!)) : one(name);
  }

  private async removeById(id: string, opts: { force?: boolean; timeout?: number }): Promise<Inspect> {
    const { cursor } = await this.store.readWithCursor(id);
    const after = await this.run(id, 'remove', { force: opts.force === true, ...(opts.timeout === undefined ? {} : { timeout: opts.timeout }) });
    if (after.State.Status !== 'removing' || after.State.Activity === 'failed') return after;
    const done = await this.eventFeed().waitFor(cursor, (e) => removeDone(e, id));
    return done.state as unknown as Inspect;
  }

  /** Re-reads runc's state (and conmon's exit file) on its node; a container found gone: stopped, with its exit code. */
  sync(name: string): Promise<Inspect> {
    return this.run(name, 'sync');
  }
  checkpoint = (name: string, o: CheckpointApiOptions = {}): Promise<Inspect> => guard(checkpointCommand(o).then((a) => this.run(name, 'checkpoint', a)));
  restore = (name: string, o: RestoreApiOptions = {}): Promise<Inspect> => guard(restoreCommand(o).then((a) => this.run(name, 'restore', a)));

  /**
   * Runs `command` in a running container as a new exec session (`podman exec`): its output streams from the node
   * through Redis; `exitCode` resolves with its code. `detach`: resolves once it runs (output stays in its stream).
   */
  exec(name: string, command: string[], opts: ExecOptions = {}): Promise<ExecHandle> {
    return guard(
      this.located(name, async (at) => {
        const session = newSessionId();
        const data = validateCommandArgs('exec', execArgs(session, command, opts) as EnqueueArgs);
        const start = (args: Record<string, unknown>) =>
          clientSpan('exec', name, async () => {
            const { job } = await this.notQueued(this.submit(at.node, at.id, { command: 'exec', container: at.id, ...args }));
            await this.queues.finished(at.node, job);
          });
        const { streams, blocking } = this.logSources();
        const stdinWriter = (container: string, s: string) => stdinWritable(new StdinWriter(this.redis, this.keys, { container, session: s }));
        const deps = { keys: this.keys, store: this.store, streams, blocking, start, events: () => this.eventFeed(), stdinWriter };
        const h = openExec(deps, at.id, session, data, opts);
        if (opts.detach) await h.started;
        return h;
      }),
    );
  }

  /**
   * Attaches to a created or running container (attach.ts): its output from now on as Node
   * streams, its stdin when created with `stdin`, and its run's exit code. With `start`, anchors
   * first and then starts it (`start -a`): no output of the run is lost.
   */
  attach(name: string, opts: AttachOptions = {}): Promise<Attachment> {
    const deps = {
      ...this.logSources(),
      start: (id: string) => this.start(id),
      wait: (id: string) => this.wait(id),
      stdinOf: (id: string) => new StdinWriter(this.redis, this.keys, { container: id }),
    };
    return guard(attach(deps, name, opts));
  }

  /** Runs its health check now (`berth healthcheck run`; healthcheck-client.ts). */
  healthcheckRun = (name: string): Promise<HealthcheckResult> => guard(runHealthcheck(this, name));

  private imageClient: ImageClient | undefined; // the nodes' images: pull, load, import, list, inspect, remove, tag (image-client.ts)
  get images(): ImageClient { return (this.imageClient ??= new ImageClient(this.redis, this.keys, this.nodes, (name) => this.duplicateBlocking(name))); }
  /** Closes every connection this client opened. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.feed?.close().catch(() => undefined);
      for (const conn of this.logConnections) conn.disconnect();
      await this.queues.close();
      await this.imageClient?.close();
      await closeRedis(this.redis);
    })();
    return this.closing;
  }
}

/** `Berth.connect({ redis })`: the package's entry point. */
export const Berth = { connect: (options: ConnectOptions): Promise<BerthClient> => BerthClient.connect(options) };
