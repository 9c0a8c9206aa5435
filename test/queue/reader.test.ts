/**
 * Readers without the machine: every commit keeps the inspect object beside the snapshot it came
 * from, so `ps`, `inspect` and the inspector read it without hydrating, and a client of another
 * machine version can still list and inspect. A real worker and queue on a real Redis; the
 * runtime a fake.
 */
import { expect } from 'chai';
import { inspectFrom } from '../../src/actors/inspect.js';
import { hydrateSnapshot } from '../../src/actors/snapshot.js';
import { startFakeStack, type FakeStack } from '../helpers/fake-stack.js';

describe('queue/reader: the inspect object kept with each commit', function () {
  this.timeout(30_000);
  let s: FakeStack;

  before(async () => {
    s = await startFakeStack('reader');
  });
  after(async () => {
    await s?.close();
  });

  it('is the one the snapshot gives, after create and after every step', async () => {
    const c = await s.client.create({ name: 'kept', rootfs: s.rootfs, command: ['sleep', '1000'] });
    const key = s.keys.container(c.Id).record;
    for (const step of [() => Promise.resolve(c), () => s.client.start(c.Id), () => s.client.pause(c.Id), () => s.client.unpause(c.Id)]) {
      const answer = await step();
      const record = (await s.client.store.get(c.Id))!;
      expect(record.inspect, 'kept in the record').to.not.equal('');
      const fromSnapshot = inspectFrom(record, hydrateSnapshot(record.snapshot, c.Id));
      expect(JSON.parse(record.inspect)).to.deep.equal(fromSnapshot);
      expect(await s.client.inspect(c.Id)).to.deep.equal(fromSnapshot);
      expect(answer.State.Status).to.equal(fromSnapshot.State.Status);
    }
    expect(await s.conn.hexists(key, 'inspect')).to.equal(1);
  });

  it('lets a reader of another machine version list and inspect', async () => {
    const c = await s.client.create({ name: 'future', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    const key = s.keys.container(c.Id).record;
    // as a newer Berth would leave it: a snapshot this one cannot hydrate
    const envelope = JSON.parse((await s.conn.hget(key, 'snapshot'))!) as { version: string };
    await s.conn.hset(key, 'snapshot', JSON.stringify({ ...envelope, version: '99' }));
    const record = (await s.client.store.get(c.Id))!;
    expect(() => hydrateSnapshot(record.snapshot, c.Id)).to.throw(/machine version 99/);
    expect((await s.client.inspect(c.Id)).State.Status).to.equal('running');
    expect((await s.client.list()).map((x) => x.Name)).to.include('future');
  });
});
