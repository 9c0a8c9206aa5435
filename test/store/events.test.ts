/**
 * EventFeed on a real Redis: a waiter is fed every transition after the point it read, even one
 * committed before the feed's live loop has started reading.
 */
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { EventFeed, type StreamEntry } from '../../src/store/events.js';
import { Keys } from '../../src/store/keys.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';

describe('store/events: EventFeed', () => {
  let redis: TestRedis;
  let conn: Redis;
  const keys = new Keys(testPrefix('events'));
  const feeds: EventFeed[] = [];

  before(async () => {
    redis = await startRedis();
    conn = new Redis(redisOptionsFromUrl(redis.url));
  });
  after(async () => {
    for (const f of feeds) await f.close();
    conn.disconnect();
    await redis.stop();
  });

  const feed = () => {
    const f = new EventFeed(conn, new Redis(redisOptionsFromUrl(redis.url)), keys, 200);
    feeds.push(f);
    return f;
  };
  const add = (id: string, version: number) =>
    conn.xadd(keys.events, '*', 'id', id, 'version', String(version), 'data', JSON.stringify({ id, version, state: { State: { Status: 'running' } } })) as Promise<string>;

  it('starts a new live loop at the id a subscriber read up to, not at "$"', async () => {
    const cursor = await add('a', 1);
    const missed = await add('a', 2); // committed after the caller's read, before any loop runs
    const f = feed();
    const seen = new Promise<StreamEntry>((resolve) => f.subscribe((e) => resolve(e), cursor));
    expect((await seen).streamId).to.equal(missed);
  });

  it('waitFor finds a match already in the stream, and one still to come', async () => {
    const f = feed();
    const cursor = await add('b', 1);
    await add('b', 2);
    expect((await f.waitFor(cursor, (e) => e.id === 'b' && e.version === 2)).version).to.equal(2);
    const later = f.waitFor(cursor, (e) => e.id === 'b' && e.version === 3);
    await add('b', 3);
    expect((await later).version).to.equal(3);
  });
});
