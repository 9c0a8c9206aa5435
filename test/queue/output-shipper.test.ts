/**
 * The output shipper against a real Redis, over k8s-file logs the fake runtime writes as conmon
 * would: lines reach the stream as bytes, an open line waits for its end (then goes out partial),
 * a run's end drains the log and is appended once, shippers racing on one log (a worker pool)
 * or resuming after one was dropped ship every line exactly once, and a new log file is shipped
 * from its start.
 */
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createLogger } from '../../src/log.js';
import { FakeRuntime } from '../../src/oci/index.js';
import { OutputShipper } from '../../src/queue/output-shipper.js';
import { ContainerStore } from '../../src/store/containers.js';
import { Keys } from '../../src/store/keys.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { SourceStreams, type SourceEntry } from '../../src/store/streams.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';

const log = createLogger({ level: 'silent' });

describe('queue/output-shipper: container logs to output streams', () => {
  let redis: TestRedis;
  let conn: Redis;
  let blocking: Redis;
  let store: ContainerStore;
  let streams: SourceStreams;
  let dir: string;
  let fake: FakeRuntime;
  const shippers: OutputShipper[] = [];
  const keys = new Keys(testPrefix('shipper'));
  let n = 0;

  before(async () => {
    redis = await startRedis({ aof: true }); // records survive the restart of the last test
    conn = new Redis(redisOptionsFromUrl(redis.url));
    blocking = conn.duplicate();
    store = new ContainerStore(conn, keys);
    streams = new SourceStreams(conn, keys);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-shipper-'));
    fake = new FakeRuntime({ logDir: dir });
  });
  afterEach(async () => {
    await Promise.all(shippers.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  after(async () => {
    blocking?.disconnect();
    conn?.disconnect();
    await redis?.stop();
  });

  async function container(): Promise<string> {
    const id = `${'d'.repeat(60)}${String(++n).padStart(4, '0')}`;
    const seq = await store.enqueue(id, '{"command":"create"}', { create: { name: `o${n}` } });
    const spec = JSON.stringify({ name: `o${n}`, rootfs: '/r', command: ['true'], env: [], workdir: '/', hostname: 'h', stopSignal: 'SIGTERM', stopTimeout: 10 });
    const history = { from: '', to: 'configured', command: 'create', jobId: 'j', node: 'n', at: 'T', ms: 0 };
    await store.create({ id, name: `o${n}`, node: 'n', spec, snapshot: '{}', status: 'running', created: 'T', seq, result: '{}', history, event: '{}', inspect: '' });
    return id;
  }

  async function shipper(partialMs = 200): Promise<OutputShipper> {
    const s = new OutputShipper({ files: fake.logFiles, streams, maxLines: 100_000, log, partialMs });
    shippers.push(s);
    await s.start();
    return s;
  }

  /** Every entry of the stream once it holds `count` (blocking reads: woken by each append). */
  async function entries(id: string, count: number): Promise<SourceEntry[]> {
    const key = streams.outputKey(id);
    const all: SourceEntry[] = [];
    let after = '0-0';
    while (all.length < count) {
      const got = await streams.read(blocking, key, after, 1000, 10_000);
      if (!got.last) throw new Error(`only ${all.length} of ${count} entries after 10 s`);
      all.push(...got.entries);
      after = got.last;
    }
    return all;
  }

  const texts = (es: SourceEntry[]) => es.map((e) => (e.kind === 'line' ? `${e.line.stream}:${e.line.bytes.toString('latin1')}${e.line.partial ? '…' : ''}` : `end ${e.end.run}=${e.end.exitCode}`));

  it('ships each line as written, bytes unchanged, woken by inotify', async () => {
    const id = await container();
    await shipper();
    const odd = Buffer.from([0x61, 0x0d, 0x62, 0xff]);
    fake.writeRecord(id, 'stdout', 'hello');
    expect(texts(await entries(id, 1))).to.deep.equal(['stdout:hello']);
    fake.writeRecord(id, 'stderr', odd);
    const got = await entries(id, 2);
    expect(got[1]!.kind === 'line' && got[1]!.line.bytes.equals(odd)).to.equal(true);
  });

  it('holds an open line for its end, and passes it on partial when none comes', async () => {
    const id = await container();
    await shipper(100);
    fake.writeRecord(id, 'stdout', 'joined-', { partial: true });
    fake.writeRecord(id, 'stdout', 'whole');
    fake.writeRecord(id, 'stdout', 'prompt> ', { partial: true });
    expect(texts(await entries(id, 2))).to.deep.equal(['stdout:joined-whole', 'stdout:prompt> …']);
    fake.writeRecord(id, 'stdout', 'typed');
    expect(texts(await entries(id, 3))[2]).to.equal('stdout:typed');
  });

  it("a run's end drains the log (an open line as partial) and is appended once per run", async () => {
    const id = await container();
    const s = await shipper(60_000);
    fake.writeRecord(id, 'stdout', 'last words', { partial: true });
    await s.end({ id, code: 3, at: '2026-11-28T15:00:00.000Z', oomKilled: false, run: 1 });
    await s.end({ id, code: 3, at: '2026-11-28T15:00:00.000Z', oomKilled: false, run: 1 });
    expect(texts(await entries(id, 2))).to.deep.equal(['stdout:last words…', 'end 1=3']);
    expect(await conn.xlen(streams.outputKey(id))).to.equal(2);
  });

  it('shippers racing on one log (a worker pool) ship every line once, in order', async () => {
    const id = await container();
    const a = await shipper();
    const b = await shipper();
    const want: string[] = [];
    for (let burst = 0; burst < 20; burst++) {
      for (let i = 0; i < 50; i++) {
        const text = `line ${burst}.${i}`;
        fake.writeRecord(id, i % 3 === 0 ? 'stderr' : 'stdout', text);
        want.push(`${i % 3 === 0 ? 'stderr' : 'stdout'}:${text}`);
      }
      await new Promise<void>((r) => setImmediate(r)); // let the watchers fire between bursts
    }
    const exit = { id, code: 0, at: new Date().toISOString(), oomKilled: false, run: 1 };
    await Promise.all([a.end(exit), b.end(exit)]);
    expect(texts(await entries(id, want.length + 1))).to.deep.equal([...want, 'end 1=0']);
    expect(await conn.xlen(streams.outputKey(id))).to.equal(want.length + 1);
  });

  it('a new shipper resumes where a dropped one left off; a log with no stream is shipped from 0', async () => {
    const id = await container();
    fake.writeRecord(id, 'stdout', 'before any shipper');
    const first = await shipper();
    expect(texts(await entries(id, 1))).to.deep.equal(['stdout:before any shipper']);
    await first.close();
    fake.writeRecord(id, 'stdout', 'while none ran');
    await shipper();
    fake.writeRecord(id, 'stdout', 'after');
    expect(texts(await entries(id, 3))).to.deep.equal(['stdout:before any shipper', 'stdout:while none ran', 'stdout:after']);
  });

  it('ships a new log file (another inode) from its start', async () => {
    const id = await container();
    const s = await shipper();
    fake.writeRecord(id, 'stdout', 'old file');
    await entries(id, 1);
    unlinkSync(fake.logFiles!.path(id));
    fake.writeRecord(id, 'stdout', 'new file');
    await s.end({ id, code: 0, at: new Date().toISOString(), oomKilled: false, run: 1 });
    expect(texts(await entries(id, 3))).to.deep.equal(['stdout:old file', 'stdout:new file', 'end 1=0']);
  });

  it('ships what it could not while Redis was away once told to catch up', async () => {
    const id = await container();
    // a connection that fails at once while Redis is down (no offline queue, no retries)
    const brittle = new Redis({ ...redisOptionsFromUrl(redis.url), maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 50 });
    brittle.on('error', () => undefined);
    try {
      // the shipper's warning tells when the pass for a change has run and failed
      let failed: () => void = () => undefined;
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          if (chunk.toString().includes('could not ship output')) failed();
          done();
        },
      });
      const s = new OutputShipper({ files: fake.logFiles, streams: new SourceStreams(brittle, keys), maxLines: 1000, log: pino({ level: 'warn' }, sink), partialMs: 200 });
      shippers.push(s);
      await s.start();
      fake.writeRecord(id, 'stdout', 'before');
      expect(texts(await entries(id, 1))).to.deep.equal(['stdout:before']);
      await redis.restart(async () => {
        const passFailed = new Promise<void>((resolve) => (failed = resolve));
        fake.writeRecord(id, 'stdout', 'while Redis was away');
        await passFailed;
      });
      await new Promise<void>((resolve) => (brittle.status === 'ready' ? resolve() : brittle.once('ready', () => resolve())));
      await s.catchUp();
      expect(texts(await entries(id, 2))).to.deep.equal(['stdout:before', 'stdout:while Redis was away']);
    } finally {
      brittle.disconnect();
    }
  });

  it('appends nothing for a removed container', async () => {
    const id = await container();
    await conn.hset(keys.container(id).record, 'status', 'removed');
    const s = await shipper();
    fake.writeRecord(id, 'stdout', 'too late');
    await s.end({ id, code: 0, at: new Date().toISOString(), oomKilled: false, run: 1 });
    expect(await conn.exists(streams.outputKey(id))).to.equal(0);
  });
});
