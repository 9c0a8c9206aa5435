/**
 * Reads of the events stream for one consumer that pulls at its own pace (`client.events`): a
 * batch after a cursor, blocking for at most `blockMs` when there is none yet. Unlike EventFeed's
 * fan-out (events.ts), nothing is read before the consumer asks, so a slow consumer holds one
 * batch in memory and the stream (capped, EVENTS_MAX_LEN) holds the rest.
 */
import type { Redis } from 'ioredis';
import { parseEntries, type StreamEntry } from './events.js';
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
