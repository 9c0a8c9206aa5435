/**
 * The stdin transport between a client and a node: StdinWriter -> the source's stdin stream ->
 * the node's StdinForwarder -> conmon's attach socket and ctl fifo. Real Redis; a SOCK_SEQPACKET
 * server stands in for conmon's attach socket (test/oci/attach-socket.test.ts uses the real one),
 * a fifo for its ctl fifo. Sources go live through a feed the test drives, as the events stream does.
 */
import { execa } from 'execa';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { SeqpacketServer, type SeqpacketSocket } from 'node-unix-socket';
import pino from 'pino';
import type { StdioPaths } from '../../src/oci/types.js';
import { StdinForwarder } from '../../src/queue/stdin-forwarder.js';
import { STDIN_BACKLOG, StdinWriter } from '../../src/queue/stdin-writer.js';
import type { StreamEntry, TransitionEvent } from '../../src/store/events.js';
import { Keys } from '../../src/store/keys.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { rejection } from '../helpers/assert.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';

const ID = 'a'.repeat(64);
const NODE = 'n1';

/** A stand-in for conmon's attach socket: every packet, in order, and whether the peer closed. */
class FakeConmon {
  readonly packets: Buffer[] = [];
  closed = 0;
  private readonly server = new SeqpacketServer();
  private waiters: Array<() => void> = [];
  constructor(path: string) {
    this.server.listen(path);
    this.server.on('connection', (c: SeqpacketSocket) => {
      c.on('data', (b: Buffer) => {
        this.packets.push(Buffer.from(b));
        this.notify();
      });
      c.on('end', () => {
        this.closed += 1;
        this.notify();
        c.destroy();
      });
    });
  }
  get bytes(): Buffer {
    return Buffer.concat(this.packets);
  }
  private notify() {
    for (const w of this.waiters.splice(0)) w();
  }
  async until(check: () => boolean): Promise<void> {
    while (!check()) await new Promise<void>((r) => this.waiters.push(r));
  }
  close() {
    this.server.close();
  }
}

/** Asks Redis until `check` holds (each ask is a round trip; at most 2000 of them). */
async function redisHolds(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2000; i++) if (await check()) return;
  throw new Error('Redis never came to hold what the test waits for');
}

/** The events a test makes: a container's state, as the events stream would carry it. */
class TestFeed {
  private listener: ((e: StreamEntry) => void) | undefined;
  subscribe(l: (e: StreamEntry) => void): () => void {
    this.listener = l;
    return () => (this.listener = undefined);
  }
  emit(status: string, execIds: string[] = []) {
    const state = { State: { Status: status, Activity: '', ExitCode: 0, Error: '' }, ExecIDs: execIds };
    this.listener?.({ streamId: '1-0', event: { id: ID, node: NODE, state } as unknown as TransitionEvent });
  }
}

describe('queue/stdin: a client writes, the node forwards to conmon', function () {
  this.timeout(20_000);
  let redis: TestRedis;
  let conn: Redis;
  let dir: string;
  let keys: Keys;
  const opened: Array<{ close(): Promise<void> }> = [];
  const extra: Redis[] = [];

  const stdio = (): StdioPaths => ({
    attach: (r) => join(dir, r.session ?? 'ctr', 'attach'),
    ctl: (r) => join(dir, r.session ?? 'ctr', 'ctl'),
  });

  async function forwarder(feed: TestFeed): Promise<StdinForwarder> {
    const blocking = new Redis(redisOptionsFromUrl(redis.url));
    extra.push(blocking);
    const f = new StdinForwarder({ node: NODE, redis: conn, blocking, feed, store: { nodeContainerIds: async () => [], get: async () => null }, keys, stdio: stdio(), log: pino({ level: 'silent' }), leaseMs: 600 });
    await f.start();
    opened.push(f);
    return f;
  }

  before(async () => {
    redis = await startRedis();
    conn = new Redis(redisOptionsFromUrl(redis.url));
  });
  after(async () => {
    conn?.disconnect();
    await redis?.stop();
  });
  beforeEach(async () => {
    keys = new Keys(testPrefix('stdin'));
    dir = await mkdtemp(join(tmpdir(), 'berth-stdin-'));
    await execa('mkdir', ['-p', join(dir, 'ctr'), join(dir, 's1')]);
  });
  afterEach(async () => {
    for (const f of opened.splice(0)) await f.close();
    for (const c of extra.splice(0)) c.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  it('forwards data in order, split into packets conmon takes whole, then EOF closes the connection', async () => {
    const conmon = new FakeConmon(join(dir, 'ctr', 'attach'));
    const feed = new TestFeed();
    await forwarder(feed);
    feed.emit('running');
    const writer = new StdinWriter(conn, keys, { container: ID });
    const big = Buffer.alloc(100_000, 'x');
    await writer.write('hello\n');
    await writer.write(big);
    await writer.write(Buffer.from([0, 1, 2, 255]));
    await writer.end();
    await conmon.until(() => conmon.closed === 1);
    expect(conmon.bytes.equals(Buffer.concat([Buffer.from('hello\n'), big, Buffer.from([0, 1, 2, 255])]))).to.equal(true);
    expect(Math.max(...conmon.packets.map((p) => p.length))).to.be.at.most(32 * 1024);
    expect(await conn.xlen(keys.source(ID).stdin)).to.equal(0);
    conmon.close();
  });

  it("sends a resize to the process's ctl fifo, in order with the data", async () => {
    const fifo = join(dir, 's1', 'ctl');
    await execa('mkfifo', [fifo]);
    const reader = await open(fifo, 'r+');
    const conmon = new FakeConmon(join(dir, 's1', 'attach'));
    const feed = new TestFeed();
    await forwarder(feed);
    feed.emit('running', ['s1']);
    const writer = new StdinWriter(conn, keys, { container: ID, session: 's1' });
    await writer.resize(33, 111);
    await writer.write('after');
    await conmon.until(() => conmon.bytes.toString() === 'after');
    const { bytesRead, buffer } = await reader.read(Buffer.alloc(64), 0, 64);
    expect(buffer.subarray(0, bytesRead).toString()).to.equal('1 33 111\n');
    await reader.close();
    expect((await rejection(writer.resize(0, 80))).message).to.match(/window size/);
    conmon.close();
  });

  it('makes a writer wait while the node is a backlog behind, and go on once it forwards', async () => {
    const conmon = new FakeConmon(join(dir, 'ctr', 'attach'));
    const writer = new StdinWriter(conn, keys, { container: ID });
    for (let i = 0; i < STDIN_BACKLOG; i++) await writer.write(`${i};`);
    let done = false;
    const last = writer.write('last').then(() => (done = true));
    // the writer has looked at the backlog and blocks on the forwarder's ticks
    await redisHolds(async () => String(await conn.client('LIST')).includes('cmd=xread'));
    expect(await conn.xlen(keys.source(ID).stdin)).to.equal(STDIN_BACKLOG);
    expect(done).to.equal(false);
    const feed = new TestFeed();
    await forwarder(feed);
    feed.emit('running');
    await last;
    await conmon.until(() => conmon.bytes.toString().endsWith('last'));
    expect(conmon.bytes.toString()).to.equal(`${Array.from({ length: STDIN_BACKLOG }, (_, i) => `${i};`).join('')}last`);
    writer.close();
    conmon.close();
  });

  it('forwards once when two workers of a node run forwarders, and drops entries Berth does not make', async () => {
    const conmon = new FakeConmon(join(dir, 'ctr', 'attach'));
    const feeds = [new TestFeed(), new TestFeed()];
    await forwarder(feeds[0] as TestFeed);
    await forwarder(feeds[1] as TestFeed);
    for (const f of feeds) f.emit('running');
    const writer = new StdinWriter(conn, keys, { container: ID });
    await writer.write('one,');
    await conn.xadd(keys.source(ID).stdin, '*', 'k', 'zz', 'b', 'forged');
    await writer.write('two');
    await writer.end();
    await conmon.until(() => conmon.closed === 1);
    expect(conmon.bytes.toString()).to.equal('one,two');
    conmon.close();
  });

  it('forwards nothing to a source that is not live, and drops its streams when it ends', async () => {
    const conmon = new FakeConmon(join(dir, 'ctr', 'attach'));
    const feed = new TestFeed();
    await forwarder(feed);
    const writer = new StdinWriter(conn, keys, { container: ID });
    await writer.write('early');
    feed.emit('stopped');
    expect(await conn.xlen(keys.source(ID).stdin)).to.equal(1);
    feed.emit('created');
    await conmon.until(() => conmon.bytes.toString() === 'early');
    feed.emit('exited');
    await conmon.until(() => conmon.closed === 1);
    await redisHolds(async () => (await conn.exists(keys.source(ID).stdin, keys.source(ID).stdinAck)) === 0);
    conmon.close();
  });
});
