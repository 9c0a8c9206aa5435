/**
 * `GET /api/events`: Server-Sent Events. Each committed transition is a `transition` frame whose
 * id is its stream id. A page starts from `?since=<cursor>` (the cursor GET /api/containers
 * returned); a reconnecting EventSource sends `Last-Event-ID` and resumes after it, reading what
 * it missed with EventFeed.range before going live. If the capped stream lost entries after the
 * cursor, the page gets one `reset` frame and reloads. A reader without the token gets every
 * transition with its Env values hidden (env-redaction.ts); how many streams may be open at once
 * is the server's to limit (`maxEventStreams`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { BerthError } from '../errors.js';
import { compareIds, type EventFeed, type StreamEntry } from '../store/events.js';
import type { Keys } from '../store/keys.js';
import { quoted } from '../printable.js';
import { redactEntry } from './env-redaction.js';
import { frameOf, latestStreamId, transitionFrame, trimmedAfter, type LiveHub } from './live.js';

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;
/** A page that stops reading is dropped past this much unsent data; it resumes on reconnect. */
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
const PAGE = 1000;
export const KEEPALIVE_MS = 15_000;

export interface SseContext {
  hub: LiveHub;
  feed: EventFeed;
  redis: Redis;
  keys: Keys;
  /** Sent right after the stream opens (the current nodes and queues). */
  greeting?: () => Promise<string[]>;
  /** The request carried the token: Env values are shown. */
  reveal: boolean;
}

/** Where a page resumes: Last-Event-ID wins over ?since; neither means "from now". */
export function resumeCursor(req: IncomingMessage, url: URL): string | null {
  const header = req.headers['last-event-id'];
  const value = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('since') ?? null;
  if (value === null || value === '') return null;
  if (!STREAM_ID.test(value)) {
    throw new BerthError('EINVAL', `\`Last-Event-ID\` / \`since\` must be a stream id like 1700000000000-0, got ${quoted(value, 40)}`);
  }
  return value;
}

export async function serveEvents(req: IncomingMessage, res: ServerResponse, url: URL, ctx: SseContext): Promise<void> {
  const cursor = resumeCursor(req, url) ?? (await latestStreamId(ctx.redis, ctx.keys));
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  let last = cursor;
  let replaying = true;
  const buffered: [StreamEntry | null, string][] = [];
  const write = (frame: string) => {
    if (res.destroyed) return;
    if (res.writableLength > MAX_BACKLOG_BYTES) res.destroy();
    else res.write(frame);
  };
  const send = (entry: StreamEntry | null, frame: string) => {
    if (entry) {
      if (compareIds(entry.streamId, last) <= 0) return;
      last = entry.streamId;
    }
    write(frame);
  };
  // register before reading the backlog: whatever commits meanwhile is buffered, not lost
  const remove = ctx.hub.add((entry, full, redacted) => {
    const frame = ctx.reveal ? full : redacted;
    if (replaying) buffered.push([entry, frame]);
    else send(entry, frame);
  });
  const keepalive = setInterval(() => write(': keepalive\n\n'), KEEPALIVE_MS);
  const closed = new Promise<void>((resolve) => res.once('close', resolve));
  void closed.then(() => {
    clearInterval(keepalive);
    remove();
  });
  write('retry: 1000\n\n');
  if (await trimmedAfter(ctx.redis, ctx.keys, cursor)) {
    write(frameOf('reset', { reason: `events after ${cursor} were trimmed from the stream; reload` }));
  } else {
    for (let page = await ctx.feed.range(last, PAGE); page.length > 0 && !res.destroyed; page = await ctx.feed.range(last, PAGE)) {
      for (const entry of page) send(entry, transitionFrame(ctx.reveal ? entry : redactEntry(entry)));
      if (page.length < PAGE) break;
    }
  }
  for (const frame of (await ctx.greeting?.()) ?? []) write(frame);
  replaying = false;
  for (const [entry, frame] of buffered.splice(0)) send(entry, frame);
  await closed;
}
