/**
 * The log reader's pull: a batch is read only when the consumer asks for a line beyond the last
 * one, so a slow consumer holds one batch at most; breaking out of a follow closes its blocking
 * connection. Against a real Redis, with a spy on the stream reads.
 */
import { once } from 'node:events';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { LogStream } from '../../src/queue/log-reader.js';
import { ContainerStore } from '../../src/store/containers.js';
import { Keys } from '../../src/store/keys.js';
import { NodeRegistry } from '../../src/store/nodes.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { EMPTY_POSITION, SourceStreams } from '../../src/store/streams.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';

const ID = 'e'.repeat(64);

describe('queue/log-reader: pull-based reads', () => {
  let redis: TestRedis;
  let conn: Redis;
  const keys = new Keys(testPrefix('log-reader'));
  let store: ContainerStore;
  let nodes: NodeRegistry;

  before(async () => {
    redis = await startRedis();
    conn = new Redis(redisOptionsFromUrl(redis.url));
    store = new ContainerStore(conn, keys);
    nodes = new NodeRegistry(conn, keys);
    const seq = await store.enqueue(ID, '{"command":"create"}', { create: { name: 'reader' } });
    const spec = JSON.stringify({ name: 'reader', rootfs: '/r', command: ['true'], env: [], workdir: '/', hostname: 'h', stopSignal: 'SIGTERM', stopTimeout: 10 });
    const history = { from: '', to: 'running', command: 'create', jobId: 'j', node: 'n1', at: 'T', ms: 0 };
    await store.create({ id: ID, name: 'reader', node: 'n1', spec, snapshot: '{}', status: 'running', created: 'T', seq, result: '{}', history, event: '{}', inspect: '' });
    await nodes.heartbeat('n1', 60_000);
    const lines = Array.from({ length: 1000 }, (_, i) => ({ stream: 'stdout' as const, time: '2026-12-02T19:00:00.000000000+00:00', partial: false, bytes: Buffer.from(`l${i}`) }));
    await new SourceStreams(conn, keys).append({ id: ID, expect: EMPTY_POSITION, gen: '1', to: 1, maxLen: 10_000, lines });
  });
  after(async () => {
    conn?.disconnect();
    await redis?.stop();
  });

  /** SourceStreams counting its reads. */
  class Spy extends SourceStreams {
    reads = 0;
    override range(...a: Parameters<SourceStreams['range']>) {
      this.reads++;
      return super.range(...a);
    }
    override read(...a: Parameters<SourceStreams['read']>) {
      this.reads++;
      return super.read(...a);
    }
  }

  it('reads a batch only when the consumer has taken the last one', async () => {
    const streams = new Spy(conn, keys);
    const it = new LogStream({ store, nodes, streams, blocking: () => conn.duplicate() }, 'reader', {})[Symbol.asyncIterator]();
    expect((await it.next()).value).to.have.property('text', 'l0');
    expect(streams.reads).to.equal(1);
    for (let i = 1; i < 64; i++) await it.next();
    expect(streams.reads, 'the first batch (64) is not read past until it is consumed').to.equal(1);
    expect((await it.next()).value).to.have.property('text', 'l64');
    expect(streams.reads).to.equal(2);
    await it.return?.();
  });

  it('breaking out of a follow closes its blocking connection', async () => {
    const streams = new Spy(conn, keys);
    let blocking: Redis | undefined;
    const stream = new LogStream({ store, nodes, streams, blocking: () => (blocking = conn.duplicate()) }, 'reader', { follow: true, tail: 1 });
    for await (const line of stream) {
      expect(line.text).to.equal('l999');
      break;
    }
    expect(blocking, 'a follow reads on a connection of its own').to.not.equal(undefined);
    // the loop's end disconnected it: its socket closes (a connection left open would never end)
    if (blocking!.status !== 'end') await once(blocking!, 'end');
  });
});
