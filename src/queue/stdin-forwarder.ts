/**
 * The node's side of its processes' stdin (stdin-writer.ts is the client's): one worker of a node
 * at a time (a lease in Redis, renewed like a container's) reads the stdin streams of the node's
 * live sources and forwards their entries, in order, into conmon: data to the attach socket,
 * window sizes to the ctl fifo, EOF by closing the connection (oci/attach-socket.ts).
 *
 * Which sources are live it learns from the events stream, once at start from the records: a
 * container in state created, running, paused or stopping, and each exec session its inspect lists
 * in `ExecIDs`. A source that ends has its stdin streams dropped. Entries are deleted once
 * forwarded, so a forwarder that starts (or takes the lease over) reads each stream from its
 * beginning: what a dead worker took but did not forward is forwarded then (at least once). The
 * connection to conmon stays open while the process lives: closing it is EOF to the process, so a
 * worker that dies closes its processes' stdin (the one thing not carried over).
 */
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { inspectFrom } from '../actors/inspect.js';
import type { Logger } from '../log.js';
import { AttachConnection, resizeTerminal } from '../oci/attach-socket.js';
import type { StdioPaths, StdioRef } from '../oci/types.js';
import type { ContainerStore } from '../store/containers.js';
import { EventFeed, type TransitionEvent } from '../store/events.js';
import { closeRedis, connectRedis } from '../store/redis.js';
import type { Keys } from '../store/keys.js';
import { renewStdinLeaseCall } from '../store/script-args.js';
import { runScript } from '../store/scripts.js';
import { parseStdinEntry, type StdinEntry } from './stdin-entries.js';

export interface StdinForwarderOptions {
  node: string;
  redis: Redis;
  /** A connection of its own: XREAD BLOCK holds it. */
  blocking: Redis;
  feed: Pick<EventFeed, 'subscribe'>;
  store: Pick<ContainerStore, 'nodeContainerIds' | 'get'>;
  keys: Keys;
  stdio: StdioPaths | null;
  log: Logger;
  leaseMs?: number;
}

/** States in which a container's own process may read its stdin. */
const LIVE = new Set(['created', 'running', 'paused', 'stopping']);
const BLOCK_MS = 5000;
const BATCH = 64;

interface Source {
  ref: StdioRef;
  /** The last entry id forwarded (or dropped). */
  cursor: string;
  conn: AttachConnection | undefined;
  eof: boolean;
}

const refKey = (r: StdioRef) => (r.session === undefined ? r.container : `${r.container}/${r.session}`);

export class StdinForwarder {
  private readonly sources = new Map<string, Source>();
  private readonly token = randomUUID();
  private readonly leaseMs: number;
  private held = false;
  private closed = false;
  private blockingId: number | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private renewal: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: StdinForwarderOptions) {
    this.leaseMs = o.leaseMs ?? 5000;
  }

  /**
   * A started forwarder on connections of its own (its reads and the events feed block), or null
   * for a runtime whose processes take no stdin (the fake one).
   */
  static async open(url: string, o: Omit<StdinForwarderOptions, 'blocking' | 'feed'>): Promise<{ forwarder: StdinForwarder; close(): Promise<void> } | null> {
    if (!o.stdio) return null;
    const name = `berth-worker-${o.node}-stdin`;
    const [blocking, events] = await Promise.all([connectRedis(url, { blocking: true, name }), connectRedis(url, { blocking: true, name: `${name}-events` })]);
    const feed = new EventFeed(o.redis, events, o.keys);
    const forwarder = new StdinForwarder({ ...o, blocking, feed });
    const close = async () => {
      await forwarder.close();
      await feed.close();
      await Promise.all([closeRedis(blocking), closeRedis(events)]);
    };
    await forwarder.start().catch(async (err: unknown) => {
      await close();
      throw err;
    });
    return { forwarder, close };
  }

  async start(): Promise<void> {
    this.unsubscribe = this.o.feed.subscribe((e) => this.onEvent(e.event), await this.lastEventId());
    for (const id of await this.o.store.nodeContainerIds(this.o.node)) {
      const record = await this.o.store.get(id);
      if (record) this.update(id, inspectFrom(record));
    }
    this.blockingId = Number(await this.o.blocking.client('ID'));
    this.o.blocking.on('ready', () => {
      this.o.blocking.client('ID').then((id) => (this.blockingId = Number(id)), () => undefined);
    });
    await this.tickLease();
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.renewal);
    this.unsubscribe?.();
    this.interrupt();
    await this.loop;
    for (const s of this.sources.values()) s.conn?.close();
    // a lease that expires at once is a lease released (only the holder's token renews it)
    if (this.held) await this.renew(1).catch(() => undefined);
  }

  private async lastEventId(): Promise<string> {
    const last = await this.o.redis.xrevrange(this.o.keys.events, '+', '-', 'COUNT', 1);
    return last[0]?.[0] ?? '0-0';
  }

  private onEvent(e: TransitionEvent): void {
    if (e.node === this.o.node) this.update(e.id, e.state);
  }

  /** Brings the node's sources of container `id` in line with its inspect object. */
  private update(id: string, state: { State: { Status: string }; ExecIDs?: unknown }): void {
    const live = new Set<string>();
    if (LIVE.has(state.State.Status)) {
      live.add(refKey({ container: id }));
      const execs = Array.isArray(state.ExecIDs) ? state.ExecIDs : [];
      for (const s of execs) if (typeof s === 'string') live.add(refKey({ container: id, session: s }));
    }
    let changed = false;
    for (const [key, s] of this.sources) {
      if (s.ref.container !== id || live.has(key)) continue;
      this.sources.delete(key);
      s.conn?.close();
      const k = this.o.keys.source(s.ref.container, s.ref.session);
      void this.o.redis.del(k.stdin, k.stdinAck).catch(() => undefined);
      changed = true;
    }
    for (const key of live) {
      if (this.sources.has(key)) continue;
      const [container, session] = key.split('/') as [string, string | undefined];
      this.sources.set(key, { ref: session === undefined ? { container } : { container, session }, cursor: '0-0', conn: undefined, eof: false });
      changed = true;
    }
    if (changed) this.interrupt();
  }

  /** Ends the current wait: the loop looks at the sources (and the lease) again. */
  private interrupt(): void {
    this.wake?.();
    if (this.blockingId !== undefined) void this.o.redis.client('UNBLOCK', this.blockingId).catch(() => undefined);
  }

  private renew(ttl: number): Promise<boolean> {
    const call = renewStdinLeaseCall(this.o.keys, this.o.node, this.token, ttl);
    return runScript(this.o.redis, call.name, call.keys, call.args).then((r) => Number(r) === 1);
  }

  /** Takes or renews the node's lease, then again in a third of its time. */
  private async tickLease(): Promise<void> {
    if (this.closed) return;
    try {
      const had = this.held;
      if (had) this.held = await this.renew(this.leaseMs);
      else this.held = (await this.o.redis.set(this.o.keys.stdinLease(this.o.node), this.token, 'PX', this.leaseMs, 'NX')) === 'OK';
      if (had !== this.held) {
        this.o.log.debug({ held: this.held }, this.held ? 'forwarding stdin for this node' : 'lost the stdin lease');
        if (!this.held) for (const s of this.sources.values()) s.conn?.close();
        for (const s of this.sources.values()) Object.assign(s, { cursor: '0-0', conn: undefined, eof: false });
        this.interrupt();
      }
    } catch (err) {
      this.o.log.warn({ err }, 'could not renew the stdin lease');
    }
    this.renewal = setTimeout(() => void this.tickLease(), this.held ? this.leaseMs / 3 : this.leaseMs / 2);
    this.renewal.unref();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const sources = [...this.sources.values()];
      if (!this.held || sources.length === 0) {
        await new Promise<void>((r) => (this.wake = r));
        continue;
      }
      try {
        const streams = sources.map((s) => this.o.keys.source(s.ref.container, s.ref.session).stdin);
        const reply = (await this.o.blocking.xreadBuffer('COUNT', BATCH, 'BLOCK', BLOCK_MS, 'STREAMS', ...streams, ...sources.map((s) => s.cursor))) as
          | [Buffer, [Buffer, Buffer[]][]][]
          | null;
        for (const [name, entries] of reply ?? []) {
          const s = sources[streams.indexOf(name.toString())];
          if (s && this.sources.get(refKey(s.ref)) === s) await this.forward(s, name.toString(), entries);
        }
      } catch (err) {
        if (!this.closed) this.o.log.warn({ err }, 'could not read stdin streams');
        if (!this.closed) await new Promise<void>((r) => setTimeout(r, 500).unref());
      }
    }
  }

  private async forward(s: Source, stream: string, entries: [Buffer, Buffer[]][]): Promise<void> {
    const ids: string[] = [];
    for (const [rawId, fields] of entries) {
      const id = rawId.toString();
      ids.push(id);
      s.cursor = id;
      const entry = parseStdinEntry(fields);
      if (!entry) this.o.log.warn({ container: s.ref.container, session: s.ref.session, entry: id }, 'dropped a stdin entry Berth does not make');
      else await this.apply(s, entry);
    }
    const k = this.o.keys.source(s.ref.container, s.ref.session);
    await this.o.redis.multi().xdel(stream, ...ids).xadd(k.stdinAck, 'MAXLEN', '1', '*', 'n', String(ids.length)).pexpire(k.stdinAck, 60_000).exec();
  }

  private async apply(s: Source, e: StdinEntry): Promise<void> {
    const log = this.o.log.child({ container: s.ref.container, ...(s.ref.session === undefined ? {} : { session: s.ref.session }) });
    const stdio = this.o.stdio!;
    try {
      if (e.kind === 'resize') return await resizeTerminal(stdio.ctl(s.ref), e.rows, e.cols);
      if (s.eof) return;
      if (!s.conn?.open) s.conn = await AttachConnection.connect(stdio.attach(s.ref));
      if (e.kind === 'data') await s.conn.write(e.bytes);
      else {
        s.conn.close();
        s.eof = true;
      }
    } catch (err) {
      // the process is gone or has no stdin: what it can no longer read is dropped
      log.debug({ err, kind: e.kind }, 'could not pass stdin on');
    }
  }
}
