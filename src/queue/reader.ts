/**
 * The read side of Berth's API (as BullMQ's QueueGetters is of a Queue): inspect, list, history,
 * wait, logs, events and the node list, straight from the store and the streams, no job involved. The
 * client (client.ts) extends it with the commands. `guard` is the API's boundary: whatever a
 * call throws reaches the caller as a BerthError (EUNAVAIL while Redis is away).
 */
import type { Redis } from 'ioredis';
import { BerthError, noSuchContainer, toBerthError } from '../errors.js';
import { inspectFrom, type Inspect, type NodeView } from '../actors/inspect.js';
import type { ContainerStore } from '../store/containers.js';
import { EventFeed } from '../store/events.js';
import type { Keys } from '../store/keys.js';
import type { NodeRegistry, NodeStatus } from '../store/nodes.js';
import type { HistoryEntry } from '../store/records.js';
import { SourceStreams } from '../store/streams.js';
import { execInspect, type ExecInspect } from './exec-inspect.js';
import { LogStream, type LogSources, type LogsOptions } from './log-reader.js';
import { EventStream } from './event-stream.js';
import type { EventsOptions } from './event-options.js';
import { conditionMet, parseConditions, waitAnswer, waitConditionList, type WaitCondition, type WaitOptions } from './wait-condition.js';
import { countContainers, redisInfoFrom, type SystemInfo } from './system-info.js';

/** The API's boundary: whatever a call throws reaches the caller as a BerthError (EUNAVAIL for Redis). */
export function guard<T>(p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => {
    throw toBerthError(err);
  });
}

export class BerthReader {
  protected feed: EventFeed | undefined;

  protected constructor(
    protected readonly redis: Redis,
    readonly keys: Keys,
    readonly store: ContainerStore,
    readonly nodes: NodeRegistry,
  ) {}

  /**
   * Resolves to the exit code once the container has stopped (now or later); with `condition`
   * (Podman's state words, wait-condition.ts), once it is in any of them: the exit code when met by
   * its end, else -1. Followed through the events stream, never polled.
   */
  wait(name: string, opts: WaitOptions = {}): Promise<number> {
    return guard((async () => this.waitFor(name, parseConditions(waitConditionList(opts.condition))))());
  }

  private async waitFor(name: string, conditions: WaitCondition[]): Promise<number> {
    const id = await this.store.resolve(name);
    const { record, cursor } = await this.store.readWithCursor(id);
    if (!record) throw noSuchContainer(name);
    const now = inspectFrom(record);
    if (conditionMet(conditions, now.State.Status)) return waitAnswer(conditions, now.State.Status, now.State.ExitCode);
    const done = await this.eventFeed().waitFor(cursor, (e) => e.id === id && (conditionMet(conditions, e.state.State.Status) || e.state.State.Status === 'removed'));
    const status = done.state.State.Status;
    if (!conditionMet(conditions, status)) throw noSuchContainer(name); // removed before the condition held
    return waitAnswer(conditions, status, done.state.State.ExitCode);
  }

  inspect(name: string): Promise<Inspect> {
    return guard(
      (async () => {
        const id = await this.store.resolve(name);
        const record = await this.store.get(id);
        if (!record) throw noSuchContainer(name);
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

  nodeList(): Promise<NodeStatus[]> {
    return guard(this.nodes.list());
  }

  /** Redis, the registered nodes (versions of Berth, runtime and conmon; state dirs) and container counts. */
  async info(): Promise<SystemInfo> {
    const [text, nodes, all] = await guard(Promise.all([this.redis.info(), this.nodes.list(), this.list({ all: true })]));
    return { redis: redisInfoFrom(text), nodes, store: { prefix: this.keys.prefix, containers: countContainers(all) } };
  }

  /**
   * A container's output, as an async iterable of lines read from its stream (log-reader.ts):
   * what there is now, or with `follow` on until its run ends. Bad options throw EINVAL here;
   * a missing container rejects the first read with ENOCTR.
   */
  logs(name: string, opts: LogsOptions = {}): LogStream {
    return new LogStream(this.logSources(), name, opts);
  }

  /** What a reader of the output streams needs: the store, the streams, blocking connections closed with the client. */
  protected logSources(): LogSources & { streams: SourceStreams } {
    const streams = new SourceStreams(this.redis, this.keys);
    const blocking = () => this.trackedBlocking('berth-client-logs');
    return { store: this.store, nodes: this.nodes, streams, blocking };
  }

  /** Follows' blocking connections still open (logs, events): a follow closes its own; `close()` the rest. */
  protected readonly logConnections = new Set<Redis>();

  /**
   * The events stream as Podman events, an async iterable (event-stream.ts): replayed from
   * `since`, then live until `until` or until the loop breaks; filters as Podman's. Bad options
   * throw EINVAL here. Resume after a reconnect with `since: lastEvent.Cursor`.
   */
  events(options: EventsOptions = {}): EventStream {
    return new EventStream({ redis: this.redis, keys: this.keys, blocking: () => this.trackedBlocking('berth-client-events-reader') }, options);
  }

  /** A blocking connection `close()` disconnects if its user has not. */
  /** An exec session (running, or ended lately) by its id: `berth exec inspect`. */
  execInspect(session: string): Promise<ExecInspect> {
    return guard(execInspect(this.store, session));
  }

  private trackedBlocking(name: string): Redis {
    const conn = this.duplicateBlocking(name);
    this.logConnections.add(conn);
    conn.once('end', () => this.logConnections.delete(conn));
    return conn;
  }

  /** The transition events stream, shared by every waiter of this client. */
  eventFeed(): EventFeed {
    if (!this.feed) {
      this.feed = new EventFeed(this.redis, this.duplicateBlocking('berth-client-events'), this.keys);
    }
    return this.feed;
  }

  /** A blocking connection of the client's own (BullMQ's QueueEvents, the events feed). */
  protected duplicateBlocking(name: string): Redis {
    const conn = this.redis.duplicate({ maxRetriesPerRequest: null, connectionName: name });
    conn.on('error', () => undefined); // reconnects are retried; waiters fail on their own
    return conn;
  }
}
