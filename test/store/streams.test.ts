/**
 * Source streams against a real Redis: appendOutput's compare-and-set on the file position (each
 * result code), one end entry per run, the size bound, and bytes stored and read back unchanged.
 */
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { ContainerStore } from '../../src/store/containers.js';
import { Keys } from '../../src/store/keys.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { appendOutputCall, type AppendArgs, type OutputLineArg } from '../../src/store/script-args.js';
import { AppendCode, ScriptCode, runScript } from '../../src/store/scripts.js';
import { EMPTY_POSITION, SourceStreams } from '../../src/store/streams.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';

const ID = 'b'.repeat(60);
const T = '2026-11-28T14:59:57.204016773+00:00';
const line = (text: string | Buffer, o: Partial<OutputLineArg> = {}): OutputLineArg => ({ stream: 'stdout', time: T, partial: false, bytes: Buffer.from(text), ...o });

describe('store/streams: appendOutput and the source stream', () => {
  let redis: TestRedis;
  let conn: Redis;
  let store: ContainerStore;
  let streams: SourceStreams;
  let n = 0;
  const keys = new Keys(testPrefix('streams'));

  before(async () => {
    redis = await startRedis();
    conn = new Redis(redisOptionsFromUrl(redis.url));
    store = new ContainerStore(conn, keys);
    streams = new SourceStreams(conn, keys);
  });
  after(async () => {
    conn?.disconnect();
    await redis?.stop();
  });

  async function container(): Promise<string> {
    const id = `${ID}${String(++n).padStart(4, '0')}`;
    const seq = await store.enqueue(id, '{"command":"create"}', { create: { name: `s${n}` } });
    const spec = JSON.stringify({ name: `s${n}`, rootfs: '/r', command: ['true'], env: [], workdir: '/', hostname: 'h', stopSignal: 'SIGTERM', stopTimeout: 10 });
    const history = { from: '', to: 'configured', command: 'create', jobId: 'j', node: 'n', at: 'T', ms: 0 };
    await store.create({ id, name: `s${n}`, node: 'n', spec, snapshot: '{}', status: 'configured', created: 'T', seq, result: '{}', history, event: '{}', inspect: '' });
    return id;
  }

  const batch = (id: string, over: Partial<AppendArgs>): AppendArgs => ({ id, expect: EMPTY_POSITION, gen: '7', to: 10, maxLen: 1000, lines: [line('x')], ...over });
  const code = async (a: AppendArgs) => {
    const call = appendOutputCall(keys, a);
    return Number(((await runScript(conn, call.name, call.keys, call.args)) as unknown[])[0]);
  };

  it('appends from the expected position and moves it; bytes come back unchanged', async () => {
    const id = await container();
    const odd = Buffer.from([0x61, 0x0d, 0x62, 0xff, 0xc3, 0x28]);
    const first = await streams.append(batch(id, { lines: [line(odd), line('err', { stream: 'stderr', partial: true })], to: 120 }));
    expect(first).to.deep.equal({ kind: 'appended', entries: 2, position: { gen: '7', offset: 120, endedRun: -1 } });
    expect(await streams.position(id)).to.deep.equal({ gen: '7', offset: 120, endedRun: -1 });
    const { entries } = await streams.range(streams.outputKey(id), '-', '+', 10);
    expect(entries.map((e) => e.kind)).to.deep.equal(['line', 'line']);
    const [a, b] = entries.map((e) => (e.kind === 'line' ? e.line : null));
    expect(a!.bytes.equals(odd)).to.equal(true);
    expect(a).to.include({ stream: 'stdout', time: T, partial: false });
    expect(b).to.include({ stream: 'stderr', partial: true });
  });

  it('refuses a batch read from another position (Conflict) and names where the stream is', async () => {
    const id = await container();
    await streams.append(batch(id, { to: 50 }));
    expect(await code(batch(id, { to: 60 }))).to.equal(AppendCode.Conflict);
    // two shippers racing from the same position: one wins, the other learns where to go on
    const [x, y] = await Promise.all([
      streams.append(batch(id, { expect: { gen: '7', offset: 50 }, to: 80 })),
      streams.append(batch(id, { expect: { gen: '7', offset: 50 }, to: 80 })),
    ]);
    expect([x.kind, y.kind].sort()).to.deep.equal(['appended', 'conflict']);
    expect((x.kind === 'conflict' ? x : y)).to.deep.equal({ kind: 'conflict', position: { gen: '7', offset: 80, endedRun: -1 } });
    expect((await streams.range(streams.outputKey(id), '-', '+', 10)).entries).to.have.length(2);
  });

  it('takes a new generation (a new file, from offset 0) only from the current position', async () => {
    const id = await container();
    await streams.append(batch(id, { to: 50 }));
    const next = await streams.append(batch(id, { expect: { gen: '7', offset: 50 }, gen: '8', to: 5 }));
    expect(next).to.deep.include({ kind: 'appended', position: { gen: '8', offset: 5, endedRun: -1 } });
    expect(await code(batch(id, { expect: { gen: '7', offset: 50 }, gen: '8', to: 5 }))).to.equal(AppendCode.Conflict);
  });

  it('appends one end entry per run, after the lines, and never again for that run', async () => {
    const id = await container();
    const end = { run: 1, exitCode: 3, at: '2026-11-28T15:00:00.000Z' };
    const ended = await streams.append(batch(id, { to: 20, end }));
    expect(ended).to.deep.equal({ kind: 'appended', entries: 2, position: { gen: '7', offset: 20, endedRun: 1 } });
    const again = await streams.append(batch(id, { expect: { gen: '7', offset: 20 }, lines: [], end }));
    expect(again).to.deep.equal({ kind: 'appended', entries: 0, position: { gen: '7', offset: 20, endedRun: 1 } });
    const { entries } = await streams.range(streams.outputKey(id), '-', '+', 10);
    expect(entries.map((e) => e.kind)).to.deep.equal(['line', 'end']);
    expect(entries[1]).to.deep.include({ kind: 'end', end });
    const second = await streams.append(batch(id, { expect: { gen: '7', offset: 20 }, to: 20, lines: [], end: { ...end, run: 2, exitCode: 0 } }));
    expect(second).to.deep.include({ kind: 'appended', entries: 1 });
    expect(await streams.position(id)).to.deep.equal({ gen: '7', offset: 20, endedRun: 2 });
  });

  it('keeps about maxLen entries (whole nodes of 100 trimmed), and the position with the newest', async () => {
    const id = await container();
    let at = EMPTY_POSITION;
    for (let i = 0; i < 30; i++) {
      const r = await streams.append(batch(id, { expect: at, to: (i + 1) * 100, maxLen: 50, lines: Array.from({ length: 20 }, (_, j) => line(`${i}-${j}`)) }));
      if (r.kind !== 'appended') throw new Error(r.kind);
      at = r.position;
    }
    const len = await conn.xlen(streams.outputKey(id));
    expect(len).to.be.within(50, 150);
    expect(await streams.position(id)).to.deep.equal({ gen: '7', offset: 3000, endedRun: -1 });
    const last = await streams.revRange(streams.outputKey(id), '+', '-', 1);
    expect(last.entries[0]).to.have.nested.property('line.bytes').that.satisfies((b: Buffer) => b.toString() === '29-19');
  });

  it('refuses a removed container (Removed) and one that does not exist (NoSuchContainer)', async () => {
    const id = await container();
    await conn.hset(keys.container(id).record, 'status', 'removed');
    expect(await code(batch(id, {}))).to.equal(AppendCode.Removed);
    expect(await streams.append(batch(id, {}))).to.deep.equal({ kind: 'gone', reason: 'removed' });
    expect(await code(batch('c'.repeat(64), {}))).to.equal(ScriptCode.NoSuchContainer);
    expect(await conn.exists(streams.outputKey(id), streams.outputKey('c'.repeat(64)))).to.equal(0);
  });

  it('reads: XREAD BLOCK wakes on an append; a foreign entry is skipped, not stopped at', async () => {
    const id = await container();
    const key = streams.outputKey(id);
    const foreign = (await conn.xadd(key, '*', 'foreign', 'x'))!;
    const blocking = conn.duplicate();
    try {
      // after the foreign entry's id, not "$": the blocking connection may connect after the append
      const waiting = streams.read(blocking, key, foreign, 10, 5000);
      await streams.append(batch(id, { lines: [line('woke')] }));
      const got = await waiting;
      expect(got.entries).to.have.length(1);
      const all = await streams.range(key, '-', '+', 10);
      expect(all.entries).to.have.length(1);
      expect(all.last).to.equal(got.last);
      expect(await streams.lastId(key)).to.equal(got.last);
    } finally {
      blocking.disconnect();
    }
  });
});
