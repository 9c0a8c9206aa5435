/**
 * The container store's Lua scripts on their own, against a real Redis: each pure argument builder
 * matches its script's KEYS count, and every result code each script can give is produced and
 * named (fence, version, order, missing record, taken, deduplicated, held, stored).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { BerthError } from '../../src/errors.js';
import { ContainerStore } from '../../src/store/containers.js';
import { Keys } from '../../src/store/keys.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import {
  abandonCreateCall,
  appendOutputCall,
  beginDrainCall,
  commitCall,
  createCall,
  enqueueCall,
  releaseDeadLocksCall,
  releaseLeaseCall,
  renewLeaseCall,
  type CommitArgs,
  type CreateArgs,
} from '../../src/store/script-args.js';
import { AbandonCode, BeginCode, ScriptCode, runScript } from '../../src/store/scripts.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';

const ID = 'a'.repeat(64);

describe('store/scripts: each Lua script and its result codes', () => {
  let redis: TestRedis;
  let conn: Redis;
  let store: ContainerStore;
  let n = 0;
  const keys = new Keys(testPrefix('scripts'));

  before(async () => {
    redis = await startRedis();
    conn = new Redis(redisOptionsFromUrl(redis.url));
    store = new ContainerStore(conn, keys);
  });
  after(async () => {
    conn?.disconnect();
    await redis?.stop();
  });

  /** A fresh container record (applied = seq 1), its id and name. */
  async function container(): Promise<{ id: string; name: string }> {
    const id = `${ID.slice(0, 60)}${String(++n).padStart(4, '0')}`;
    const name = `c${n}`;
    const seq = await store.enqueue(id, '{"command":"create"}', { create: { name } });
    const history = { from: '', to: 'configured', command: 'create', jobId: 'j', node: 'n', at: 'T', ms: 0 };
    const spec = JSON.stringify({ name, rootfs: '/r', command: ['true'], env: [], workdir: '/', hostname: name, stopSignal: 'SIGTERM', stopTimeout: 10 });
    const a: CreateArgs = { id, name, node: 'n', spec, snapshot: '{}', status: 'configured', created: 'T', seq, result: '{}', history, event: '{}', inspect: '' };
    await store.create(a);
    return { id, name };
  }

  const commit = (id: string, over: Partial<CommitArgs>): CommitArgs => ({
    id,
    node: 'n',
    token: 't',
    epoch: 1,
    version: 1,
    snapshot: '{}',
    status: 'configured',
    seq: 0,
    result: '',
    history: null,
    event: '{}',
    ...over,
  });

  /** The keys BullMQ gives a queue named `q`, as Queue and Worker expose them. */
  const bullKeys = (q: string) => ({
    keys: { active: `${keys.prefix}:bull:${q}:active`, stalled: `${keys.prefix}:bull:${q}:stalled`, 'stalled-check': `${keys.prefix}:bull:${q}:stalled-check` },
    toKey: (type: string) => `${keys.prefix}:bull:${q}:${type}`,
  });

  it('builds KEYS as each script declares them (the file name counts them)', () => {
    const dir = fileURLToPath(new URL('../../src/store/lua/', import.meta.url));
    const declared = new Map(readdirSync(dir).map((f) => /^([A-Za-z]+)-(\d+)\.lua$/.exec(f)).filter((m) => m !== null).map((m) => [m[1]!, Number(m[2])]));
    const a = commit(ID, {});
    const c: CreateArgs = { id: ID, name: 'x', node: 'n', spec: '', snapshot: '', status: '', created: '', seq: 1, result: '', history: { from: '', to: '', command: '', jobId: '', node: '', at: '', ms: 0 }, event: '', inspect: '' };
    for (const call of [enqueueCall(keys, ID, '{}'), createCall(keys, c), abandonCreateCall(keys, ID), commitCall(keys, a), beginDrainCall(keys, ID, 't', 1, 1), renewLeaseCall(keys, ID, 't', 1), releaseLeaseCall(keys, ID, 't'), releaseDeadLocksCall(bullKeys('q'), ['w']), appendOutputCall(keys, { id: ID, expect: { gen: '', offset: 0 }, gen: '1', to: 0, maxLen: 1, lines: [] })]) {
      expect(call.keys, call.name).to.have.length(declared.get(call.name)!);
    }
  });

  it('enqueueCommand: seq, no such container, name taken, deduplicated, a command id replayed', async () => {
    const { id, name } = await container();
    const run = (...a: Parameters<typeof enqueueCall>) => runScript(conn, 'enqueueCommand', enqueueCall(...a).keys, enqueueCall(...a).args).then(Number);
    expect(await run(keys, ID.replace(/a/g, 'b'), '{}')).to.equal(ScriptCode.NoSuchContainer);
    expect(await run(keys, ID.replace(/a/g, 'c'), '{}', { create: { name } })).to.equal(ScriptCode.Taken);
    const seq = await run(keys, id, '{}', { dedupe: 'exit:1' });
    expect(seq).to.equal(2);
    expect(await run(keys, id, '{}', { dedupe: 'exit:1' }), 'the same key again').to.equal(0);
    expect(await run(keys, id, '{}', { commandId: 'k1' })).to.equal(3);
    expect(await run(keys, id, '{}', { commandId: 'k1' }), 'a retried enqueue').to.equal(3);
  });

  it('beginDrain: stored, taken (epoch bumped), renewed by its holder, held by another, a dead holder taken over, missing', async () => {
    const { id } = await container();
    const stored = await store.beginDrain(id, 'w1', 5000, 1);
    expect(stored).to.have.property('stored');
    const seq = await store.enqueue(id, '{"command":"start"}');
    const reply = (await runScript(conn, 'beginDrain', beginDrainCall(keys, id, 'w1', 5000, seq).keys, beginDrainCall(keys, id, 'w1', 5000, seq).args)) as unknown[];
    expect(Number(reply[0])).to.equal(BeginCode.Taken);
    const taken = await store.beginDrain(id, 'w1', 5000, seq);
    expect(taken).to.include({ epoch: 1 }); // the same holder keeps its epoch
    const held = await store.beginDrain(id, 'w2', 5000, seq);
    expect(held).to.include({ holder: 'w1' });
    expect((held as { heldMs: number }).heldMs).to.be.within(1, 5000);
    const over = await store.beginDrain(id, 'w2', 5000, seq, 'w1');
    expect(over).to.include({ epoch: 2 });
    await store.beginDrain(ID.replace(/a/g, 'd'), 'w', 5000, 1).then(
      () => expect.fail('a missing container'),
      (e: BerthError) => expect(e.code).to.equal('ENOCTR'),
    );
  });

  it('commitTransition: the new version; fenced by token and by epoch, version conflict, out of order, missing', async () => {
    const { id } = await container();
    await store.beginDrain(id, 't', 5000, 2).catch(() => undefined);
    const seq = await store.enqueue(id, '{"command":"start"}');
    await store.beginDrain(id, 't', 5000, seq);
    const code = (a: CommitArgs) => runScript(conn, 'commitTransition', commitCall(keys, a).keys, commitCall(keys, a).args).then(Number);
    expect(await code(commit(id, { token: 'other' }))).to.equal(ScriptCode.Fenced);
    expect(await code(commit(id, { epoch: 7 }))).to.equal(ScriptCode.Fenced);
    expect(await code(commit(id, { version: 9 }))).to.equal(ScriptCode.VersionConflict);
    expect(await code(commit(id, { seq: seq + 1, result: '{}' }))).to.equal(ScriptCode.OutOfOrder);
    expect(await code(commit(ID.replace(/a/g, 'e'), {}))).to.equal(ScriptCode.NoSuchContainer);
    expect(await code(commit(id, { seq, result: '{}', timers: JSON.stringify({ stopDeadline: { v: 2, due: 1, event: { type: 'timer.stop', stops: 1 } } }) }))).to.equal(2);
    expect(await store.result(id, seq)).to.equal('{}');
    expect((await store.get(id))!.timers, 'the timers pending are kept with the step').to.deep.equal({ stopDeadline: { v: 2, due: 1, event: { type: 'timer.stop', stops: 1 } } });
    expect(await code(commit(id, { version: 2 }))).to.equal(3);
    expect((await store.get(id))!.timers, 'and dropped when none is').to.deep.equal({});
  });

  it('abandonCreate: dropped while no record exists; nothing when it does', async () => {
    const lone = ID.replace(/a/g, 'f');
    await store.enqueue(lone, '{"command":"create"}', { create: { name: 'lone' } });
    const run = (id: string) => runScript(conn, 'abandonCreate', abandonCreateCall(keys, id).keys, abandonCreateCall(keys, id).args).then(Number);
    expect(await run(lone)).to.equal(AbandonCode.Dropped);
    expect(await conn.exists(keys.container(lone).mailbox, keys.container(lone).seq)).to.equal(0);
    const { id } = await container();
    expect(await run(id)).to.equal(AbandonCode.Exists);
    expect(await conn.exists(keys.container(id).seq), 'a created container keeps its counter').to.equal(1);
  });

  it("releaseDeadLocks: frees only the active jobs whose lock a dead worker holds", async () => {
    const q = bullKeys('dead');
    await conn.rpush(q.keys.active, 'j1', 'j2', 'j3');
    await conn.set(q.toKey('j1:lock'), 'dead-worker:1');
    await conn.set(q.toKey('j2:lock'), 'live-worker:4');
    await conn.set(q.keys['stalled-check'], '1');
    const run = (dead: string[]) => runScript(conn, 'releaseDeadLocks', releaseDeadLocksCall(q, dead).keys, releaseDeadLocksCall(q, dead).args).then(Number);
    expect(await run(['nobody'])).to.equal(0);
    expect(await conn.exists(q.keys['stalled-check']), 'nothing freed: the stalled check keeps its pace').to.equal(1);
    expect(await run(['dead-worker'])).to.equal(1);
    expect(await conn.get(q.toKey('j1:lock'))).to.equal(null);
    expect(await conn.get(q.toKey('j2:lock'))).to.equal('live-worker:4');
    expect(await conn.smembers(q.keys.stalled)).to.deep.equal(['j1']);
    expect(await conn.exists(q.keys['stalled-check']), 'the next stalled check may run at once').to.equal(0);
  });

  it('commitTransition: a removal drops the output stream (KEYS[11]) with the lease', async () => {
    const { id } = await container();
    const seq = await store.enqueue(id, '{"command":"remove"}');
    await store.beginDrain(id, 't', 5000, seq);
    await conn.xadd(keys.container(id).output, '*', 's', 'stdout', 'b', 'x');
    await store.commit(commit(id, { status: 'running' }));
    expect(await conn.exists(keys.container(id).output), 'kept while the container lives').to.equal(1);
    await store.commit(commit(id, { version: 2, status: 'removed', seq, result: '{}' }));
    expect(await conn.exists(keys.container(id).output, keys.container(id).lease)).to.equal(0);
  });

  it('renewLease and releaseLease: only the holder', async () => {
    const { id } = await container();
    const seq = await store.enqueue(id, '{"command":"start"}');
    await store.beginDrain(id, 'h', 5000, seq);
    expect(await store.renewLease(id, 'h', 5000)).to.equal(true);
    expect(await store.renewLease(id, 'x', 5000)).to.equal(false);
    const release = (token: string) => runScript(conn, 'releaseLease', releaseLeaseCall(keys, id, token).keys, releaseLeaseCall(keys, id, token).args).then(Number);
    expect(await release('x')).to.equal(0);
    expect(await release('h')).to.equal(1);
    expect(await store.renewLease(id, 'h', 5000), 'released').to.equal(false);
  });
});
