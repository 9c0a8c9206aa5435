/**
 * Readers without the machine: every commit keeps the inspect object beside the snapshot it came
 * from, so `ps`, `inspect` and the inspector read it without hydrating, and a client of another
 * machine version can still list and inspect. A real worker and queue on a real Redis; the
 * runtime a fake.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { inspectFrom } from '../../src/actors/inspect.js';
import { hydrateSnapshot } from '../../src/actors/snapshot.js';
import { createLogger } from '../../src/log.js';
import { FakeRuntime, ensureBusyboxRootfs } from '../../src/oci/index.js';
import { Berth, type BerthClient } from '../../src/queue/client.js';
import { BerthWorker } from '../../src/queue/worker.js';
import { Keys } from '../../src/store/keys.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';

describe('queue/reader: the inspect object kept with each commit', function () {
  this.timeout(30_000);
  const prefix = testPrefix('reader');
  let redis: TestRedis;
  let worker: BerthWorker;
  let client: BerthClient;
  let conn: Redis;
  let rootfs: string;

  before(async () => {
    redis = await startRedis();
    rootfs = await ensureBusyboxRootfs(join(tmpdir(), 'berth-test-rootfs'));
    const fake = new FakeRuntime();
    worker = await BerthWorker.start({ redis: redis.url, prefix, node: 'reader', runtime: fake, monitor: fake.monitor, log: createLogger({ level: 'silent' }) });
    client = await Berth.connect({ redis: redis.url, prefix });
    conn = new Redis(redisOptionsFromUrl(redis.url));
  });
  after(async () => {
    await client?.close();
    await worker?.close();
    conn?.disconnect();
    await redis?.stop();
  });

  it('is the one the snapshot gives, after create and after every step', async () => {
    const c = await client.create({ name: 'kept', rootfs, command: ['sleep', '1000'] });
    const key = new Keys(prefix).container(c.Id).record;
    for (const step of [() => Promise.resolve(c), () => client.start(c.Id), () => client.pause(c.Id), () => client.unpause(c.Id)]) {
      const answer = await step();
      const record = (await client.store.get(c.Id))!;
      expect(record.inspect, 'kept in the record').to.not.equal('');
      const fromSnapshot = inspectFrom(record, hydrateSnapshot(record.snapshot, c.Id));
      expect(JSON.parse(record.inspect)).to.deep.equal(fromSnapshot);
      expect(await client.inspect(c.Id)).to.deep.equal(fromSnapshot);
      expect(answer.State.Status).to.equal(fromSnapshot.State.Status);
    }
    expect(await conn.hexists(key, 'inspect')).to.equal(1);
  });

  it('lets a reader of another machine version list and inspect', async () => {
    const c = await client.create({ name: 'future', rootfs, command: ['sleep', '1000'] });
    await client.start(c.Id);
    const key = new Keys(prefix).container(c.Id).record;
    // as a newer Berth would leave it: a snapshot this one cannot hydrate
    const envelope = JSON.parse((await conn.hget(key, 'snapshot'))!) as { version: string };
    await conn.hset(key, 'snapshot', JSON.stringify({ ...envelope, version: '99' }));
    const record = (await client.store.get(c.Id))!;
    expect(() => hydrateSnapshot(record.snapshot, c.Id)).to.throw(/machine version 99/);
    expect((await client.inspect(c.Id)).State.Status).to.equal('running');
    expect((await client.list()).map((x) => x.Name)).to.include('future');
  });
});
