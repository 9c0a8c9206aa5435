/**
 * Reads of the events stream for one consumer that pulls at its own pace (`client.events`): a
 * batch after a cursor, blocking for at most `blockMs` when there is none yet. Unlike EventFeed's
 * fan-out (events.ts), nothing is read before the consumer asks, so a slow consumer holds one
 * batch in memory and the stream (capped, EVENTS_MAX_LEN) holds the rest.
 */
import type { Redis } from 'ioredis';
import { compareIds, parseEntries, type StreamEntry } from './events.js';
import type { Keys } from './keys.js';

/** What a read gives: the parsed entries and the id of the last entry read (parsed or not). */
export interface EventBatch {
  entries: StreamEntry[];
  last: string | null;
}

/**
 * Up to `count` entries after `after` (exclusive). With `blockMs` > 0 it waits that long for one
 * on `conn`, which must then be a connection of its own (XREAD BLOCK holds it).
 */
export async function readEventsAfter(conn: Redis, keys: Keys, after: string, opts: { count: number; blockMs: number }): Promise<EventBatch> {
  const reply = (
    opts.blockMs > 0
      ? await conn.xread('COUNT', opts.count, 'BLOCK', opts.blockMs, 'STREAMS', keys.events, after)
      : await conn.xread('COUNT', opts.count, 'STREAMS', keys.events, after)
  ) as [string, [string, string[]][]][] | null;
  const raw = reply?.[0]?.[1] ?? [];
  return { entries: parseEntries(raw), last: raw.length ? raw[raw.length - 1]![0] : null };
}

/** The stream's last id now, '0-0' when it is empty: "from now on". */
export async function lastEventId(redis: Redis, keys: Keys): Promise<string> {
  const last = (await redis.xrevrange(keys.events, '+', '-', 'COUNT', '1')) as [string, string[]][];
  return last[0]?.[0] ?? '0-0';
}

/**
 * Whether entries after `cursor` may have been trimmed away (the stream is capped) or deleted: a
 * reader starting there has a gap. Trimming drops the oldest entries and is seen in XINFO STREAM
 * as fewer entries kept than ever added with `cursor` before the first one kept (Redis does not
 * keep the last trimmed id, so a cursor that was itself the last one trimmed counts too); XDEL is
 * seen in `max-deleted-entry-id`, which trimming leaves alone.
 */
export async function trimmedAfter(redis: Redis, keys: Keys, cursor: string): Promise<boolean> {
  let info: unknown[];
  try {
    info = (await redis.xinfo('STREAM', keys.events)) as unknown[];
  } catch {
    return false; // no stream yet: nothing was trimmed
  }
  const field = (name: string): unknown => {
    const i = info.indexOf(name);
    return i >= 0 ? info[i + 1] : undefined;
  };
  const deleted = field('max-deleted-entry-id');
  if (typeof deleted === 'string' && compareIds(deleted, cursor) > 0) return true;
  const added = Number(field('entries-added'));
  const length = Number(field('length'));
  const first = field('first-entry');
  const firstId = Array.isArray(first) && typeof first[0] === 'string' ? first[0] : null;
  return added > length && firstId !== null && compareIds(firstId, cursor) > 0;
}

/**
 * The commands (as committed) of the latest run of commits of container `id` under job `jobId`,
 * newest first: the stream is read backwards, a chunk at a time, until a commit of `id` under
 * another job (or the stream's start). A resumed batch learns from them which steps were committed.
 */
export async function jobCommandsBack(redis: Redis, keys: Keys, id: string, jobId: string, chunk = 500): Promise<string[]> {
  const out: string[] = [];
  let end = '+';
  for (;;) {
    const raw = (await redis.xrevrange(keys.events, end, '-', 'COUNT', chunk)) as [string, string[]][];
    for (const { event } of parseEntries(raw)) {
      if (event.id !== id) continue;
      if (event.jobId !== jobId) return out;
      out.push(event.command);
    }
    if (raw.length < chunk) return out;
    end = `(${raw[raw.length - 1]![0]}`;
  }
}
