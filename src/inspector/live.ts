/**
 * The live side of the inspector: one subscription to the store's EventFeed, fanned out to every
 * connected page, without gaps. EventFeed starts reading at "$" when first subscribed, so the hub
 * remembers the stream's last id from before it subscribed and, on the first live entry, reads
 * what came between with `range`. After that EventFeed's own cursor keeps the feed gapless.
 * Pages also get `queues` and `nodes` frames (no id: they never move a page's resume point).
 * Each transition is rendered twice, with and without Env values, for pages with and without the token.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { compareIds, type EventFeed, type StreamEntry } from '../store/events.js';
import type { Keys } from '../store/keys.js';
import { lastEventId as latestStreamId } from '../store/event-reads.js';
import { redactEntry } from './env-redaction.js';

/**
 * A page's receiver: the entry (null for queues and nodes frames), the frame as a reader with the
 * token gets it, and as one without (Env values hidden; the same string when there is nothing to hide).
 */
export type LiveSink = (entry: StreamEntry | null, frame: string, redacted: string) => void;

/** One SSE frame; `id` is the stream id so a reconnecting EventSource resumes after it. */
export function frameOf(event: string, data: unknown, id?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function transitionFrame(entry: StreamEntry): string {
  return frameOf('transition', entry.event, entry.streamId);
}

/** The events stream's last id ("0-0" when empty); whether entries after a cursor were trimmed. */
export { lastEventId as latestStreamId, trimmedAfter } from '../store/event-reads.js';

export class LiveHub {
  private readonly sinks = new Set<LiveSink>();
  private pending: StreamEntry[] | null = [];
  private unsubscribe: (() => void) | undefined;

  private constructor(
    private readonly feed: EventFeed,
    private last: string,
    private readonly log: Logger,
  ) {}

  static async start(feed: EventFeed, redis: Redis, keys: Keys, log: Logger): Promise<LiveHub> {
    const hub = new LiveHub(feed, await latestStreamId(redis, keys), log);
    hub.unsubscribe = feed.subscribe((entry) => hub.onLive(entry));
    return hub;
  }

  get clients(): number {
    return this.sinks.size;
  }

  add(sink: LiveSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /** Sends a frame without an id (queues, nodes) to every page. */
  broadcast(event: string, data: unknown): void {
    const frame = frameOf(event, data);
    for (const sink of this.sinks) sink(null, frame, frame);
  }

  private onLive(entry: StreamEntry): void {
    if (this.pending === null) return this.emit(entry);
    this.pending.push(entry);
    if (this.pending.length === 1) void this.catchUp();
  }

  /** First live entry: emit whatever came between the hub's start and the feed's first read. */
  private async catchUp(): Promise<void> {
    try {
      for (let page = await this.feed.range(this.last, 1000); page.length > 0; page = await this.feed.range(this.last, 1000)) {
        for (const entry of page) this.emit(entry);
        if (page.length < 1000) break;
      }
    } catch (err) {
      this.log.warn({ err }, 'inspector: catching up with the events stream failed');
    }
    const pending = this.pending ?? [];
    this.pending = null;
    for (const entry of pending) this.emit(entry);
  }

  private emit(entry: StreamEntry): void {
    if (compareIds(entry.streamId, this.last) <= 0) return;
    this.last = entry.streamId;
    const frame = transitionFrame(entry);
    const redacted = transitionFrame(redactEntry(entry));
    for (const sink of this.sinks) sink(entry, frame, redacted);
  }

  close(): void {
    this.unsubscribe?.();
    this.sinks.clear();
  }
}
