/**
 * client.events end to end through the queue on real runc: replay with since/until, each filter,
 * live delivery, resume after a reconnect without gaps, and bad options. Each event carries the
 * container's new state and sequence number; where it says a state, runc is asked too.
 */
import { expect } from 'chai';
import { startStack, type Stack } from '../helpers/stack.js';
import type { BerthEvent } from '../../src/queue/berth-event.js';
import type { EventsOptions } from '../../src/queue/event-options.js';
import { einval } from '../helpers/assert.js';
import { connectRedis } from '../../src/store/redis.js';

/** Every event of a finite stream (one with until). */
async function all(iter: AsyncIterable<BerthEvent>): Promise<BerthEvent[]> {
  const out: BerthEvent[] = [];
  for await (const e of iter) out.push(e);
  return out;
}

/** The first `n` events (fewer when `last` says one is the last), then the loop breaks (which closes the stream). */
async function take(iter: AsyncIterable<BerthEvent>, n: number, last: (e: BerthEvent) => boolean = () => false): Promise<BerthEvent[]> {
  const out: BerthEvent[] = [];
  for await (const e of iter) {
    out.push(e);
    if (out.length === n || last(e)) break;
  }
  return out;
}

const walk = (events: BerthEvent[]) => events.map((e) => `${e.Name}:${e.Status}:${e.State}`);

describe('e2e: events on real runc', function () {
  this.timeout(60_000);
  let s: Stack;
  /** The cursor before any container was made, the cursor after the walk of "web" and "job" (names that cannot be an Id prefix). */
  let origin: string;
  let walked: BerthEvent[];
  before(async () => {
    s = await startStack('events');
    origin = '0-0'; // a fresh stack: its stream is empty
    await s.client.create({ name: 'web', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start('web');
    await s.client.pause('web');
    await s.client.unpause('web');
    await s.client.create({ name: 'job', rootfs: s.rootfs, command: ['sh', '-c', 'exit 3'] });
    await s.client.start('job');
    expect(await s.client.wait('job')).to.equal(3);
    await s.client.stop('web', { timeout: 0 });
    await s.client.remove('web');
    walked = await all(s.client.events({ since: origin, until: new Date(Date.now() + 1) }));
  });
  after(async () => {
    await s?.close();
  });

  it('replays what was committed, under Podman names, with the new state and seq of each', async () => {
    const a = walked.filter((e) => e.Name === 'web');
    expect(walk(a)).to.deep.equal([
      'web:create:configured',
      'web:init:created',
      'web:start:running',
      'web:pause:paused',
      'web:unpause:running',
      'web:stop:stopping',
      'web:died:stopped',
      'web:cleanup:exited',
      'web:remove:removed',
    ]);
    const b = walked.filter((e) => e.Name === 'job');
    expect(walk(b).slice(0, 4)).to.deep.equal(['job:create:configured', 'job:init:created', 'job:start:running', 'job:died:stopped']);
    expect(b[3]!.ContainerExitCode).to.equal(3);
    expect(a[6]!.ContainerExitCode).to.equal(137);
    for (const list of [a, b]) {
      const seqs = list.map((e) => e.Seq);
      expect(seqs, 'seq rises').to.deep.equal([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).to.equal(seqs.length);
      expect(list[0]!.Seq).to.equal(1);
      for (const e of list) {
        expect(e.Inspect.State.Status).to.equal(e.State);
        expect(e.Type).to.equal('container');
        expect(e.Node).to.equal(s.node);
        expect(e.timeNano).to.equal(Date.parse(e.Time) * 1e6);
      }
    }
    // web's last event says removed: runc no longer knows it; job's is what runc says of it now
    expect(await s.runc(a[0]!.ID)).to.equal(null);
    const bNow = (await s.client.inspect('job')).State.Status;
    const bLast = (await all(s.client.events({ since: origin, until: new Date(Date.now() + 1), filter: { container: 'job' } }))).at(-1)!;
    expect(bLast.State).to.equal(bNow);
    expect((await s.runc(b[0]!.ID))?.status ?? 'absent').to.equal(bNow === 'stopped' ? 'stopped' : 'absent');
  });

  it('since and until: by cursor, by RFC 3339 time, by duration', async () => {
    const a = walked.filter((e) => e.Name === 'web');
    const pause = a.find((e) => e.Status === 'pause')!;
    const until = await all(s.client.events({ since: origin, until: pause.Cursor, filter: { container: 'web' } }));
    expect(walk(until)).to.deep.equal(['web:create:configured', 'web:init:created', 'web:start:running', 'web:pause:paused']);
    const since = await all(s.client.events({ since: pause.Cursor, until: new Date(Date.now() + 1), filter: { container: 'web' } }));
    expect(since[0]!.Status).to.equal('unpause');
    expect(since.at(-1)!.Status).to.equal('remove');
    // a time: everything committed at or after that millisecond
    const byTime = await all(s.client.events({ since: walked[0]!.Time, until: walked.at(-1)!.Time }));
    expect(byTime.map((e) => e.Cursor)).to.deep.equal(walked.map((e) => e.Cursor));
    const byDuration = await all(s.client.events({ since: '10m', until: '0s' }));
    expect(byDuration.map((e) => e.Cursor)).to.deep.equal(walked.map((e) => e.Cursor));
    // until alone replays every event kept, as Podman
    expect((await all(s.client.events({ until: new Date() }))).length).to.equal(walked.length);
  });

  it('filters: container by name or Id prefix, event, node; OR within a key, AND across', async () => {
    const only = (filter: EventsOptions['filter']) => all(s.client.events({ since: origin, until: new Date(Date.now() + 1), filter }));
    const aId = walked.find((e) => e.Name === 'web')!.ID;
    expect((await only({ container: 'web' })).every((e) => e.Name === 'web')).to.equal(true);
    expect((await only({ container: aId.slice(0, 12) })).map((e) => e.Cursor)).to.deep.equal((await only({ container: 'web' })).map((e) => e.Cursor));
    expect(walk(await only({ event: ['start', 'died'] }))).to.deep.equal(['web:start:running', 'job:start:running', 'job:died:stopped', 'web:died:stopped']);
    expect(walk(await only({ container: 'job', event: ['start', 'died'] }))).to.deep.equal(['job:start:running', 'job:died:stopped']);
    expect((await only({ node: s.node })).length).to.equal(walked.length);
    expect(await only({ node: 'elsewhere' })).to.deep.equal([]);
    expect(await only({ container: 'nobody' })).to.deep.equal([]);
  });

  it('delivers live events as containers change, in order', async () => {
    const stream = s.client.events({ filter: { container: 'live' } });
    const first = take(stream, 3);
    await s.client.create({ name: 'live', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start('live');
    expect(walk(await first)).to.deep.equal(['live:create:configured', 'live:init:created', 'live:start:running']);
    expect((await s.runc((await s.client.inspect('live')).Id))?.status).to.equal('running');
    expect(await stream.next()).to.deep.equal({ done: true, value: undefined }); // the break closed it
    await s.client.remove('live', { force: true });
  });

  it('resumes from the last cursor after a reconnect: every seq once, in order, none missed', async () => {
    const from = (await all(s.client.events({ until: new Date(Date.now() + 1) }))).at(-1)!.Cursor;
    const seen: BerthEvent[] = [];
    // a reader that drops its connection after every two events and comes back from its cursor,
    // while two containers change meanwhile
    const churn = (async () => {
      for (const name of ['r1', 'r2']) await s.client.create({ name, rootfs: s.rootfs, command: ['sleep', '1000'] });
      for (const name of ['r1', 'r2']) await s.client.start(name);
      await s.client.pause('r1');
      await s.client.kill('r2');
      await s.client.unpause('r1');
      for (const name of ['r1', 'r2']) await s.client.remove(name, { force: true });
    })();
    let cursor = from;
    let removes = 0;
    while (removes < 2) {
      const got = await take(s.client.events({ since: cursor, batch: 1 }), 2, (e) => e.Status === 'remove' && removes + 1 === 2);
      removes += got.filter((e) => e.Status === 'remove').length;
      seen.push(...got);
      cursor = got.at(-1)!.Cursor;
    }
    await churn;
    const reference = await all(s.client.events({ since: from, until: cursor }));
    expect(seen.map((e) => e.Cursor)).to.deep.equal(reference.map((e) => e.Cursor));
    for (const name of ['r1', 'r2']) {
      const seqs = seen.filter((e) => e.Name === name).map((e) => e.Seq);
      expect(seqs, name).to.deep.equal([...new Set(seqs)].sort((x, y) => x - y));
    }
    // Berth cleans a dead container up on its own: before the remove or not, as the race goes
    const r2 = seen.filter((e) => e.Name === 'r2');
    expect(r2.filter((e) => e.Status === 'cleanup').length).to.be.at.most(1);
    expect(walk(r2.filter((e) => e.Status !== 'cleanup'))).to.deep.equal([
      'r2:create:configured',
      'r2:init:created',
      'r2:start:running',
      'r2:kill:running',
      'r2:died:stopped',
      'r2:remove:removed',
    ]);
  });

  it("a live stream whose Redis connection is killed goes on from its cursor: nothing lost or repeated", async () => {
    const from = (await all(s.client.events({ until: new Date(Date.now() + 1) }))).at(-1)!.Cursor;
    await s.client.create({ name: 'cut', rootfs: s.rootfs, command: ['sleep', '1000'] });
    const live = s.client.events({ since: from, filter: { container: 'cut' } });
    // the first event came through the stream's own blocking connection, which is therefore up
    expect(walk([(await live.next()).value as BerthEvent])).to.deep.equal(['cut:create:configured']);
    const next = live.next();
    const admin = await connectRedis(s.redis.url, { name: 'events-test-admin' });
    try {
      // the reader's blocking XREAD is pending: kill that connection under it
      const list = String(await admin.client('LIST'));
      const ids = list.split('\n').filter((l) => l.includes('name=berth-client-events-reader')).map((l) => /id=(\d+)/.exec(l)![1]!);
      expect(ids.length).to.be.greaterThan(0);
      for (const id of ids) await admin.client('KILL', 'ID', id);
    } finally {
      await admin.quit();
    }
    await s.client.start('cut');
    const got = [(await next).value as BerthEvent];
    for await (const e of live) {
      got.push(e);
      if (e.Status === 'start') break;
    }
    expect(walk(got)).to.deep.equal(['cut:init:created', 'cut:start:running']);
    await s.client.remove('cut', { force: true });
  });

  it('a slow consumer holds one batch at most; the rest waits in the stream, none lost', async () => {
    const from = (await all(s.client.events({ until: new Date(Date.now() + 1) }))).at(-1)!.Cursor;
    await s.client.create({ name: 'slow', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start('slow');
    for (let i = 0; i < 5; i++) {
      await s.client.pause('slow');
      await s.client.unpause('slow');
    }
    await s.client.remove('slow', { force: true });
    const reference = await all(s.client.events({ since: from, until: new Date(Date.now() + 1), filter: { container: 'slow' } }));
    expect(reference.length).to.equal(1 + 2 + 10 + 1);
    const stream = s.client.events({ since: from, batch: 3, filter: { container: 'slow' } });
    const got: BerthEvent[] = [];
    let most = 0;
    for await (const e of stream) {
      got.push(e);
      most = Math.max(most, stream.buffered);
      if (e.Status === 'remove') break;
    }
    expect(most).to.be.at.most(2);
    expect(got.map((e) => e.Cursor)).to.deep.equal(reference.map((e) => e.Cursor));
  });

  it('a replay from before the oldest entry kept starts there and says it is truncated', async () => {
    const all_ = await all(s.client.events({ since: origin, until: new Date(Date.now() + 1) }));
    const last = all_.at(-1)!;
    const admin = await connectRedis(s.redis.url, { name: 'events-test-admin' });
    try {
      await admin.xtrim(s.client.keys.events, 'MAXLEN', 3); // exact: what the capped stream does over time
    } finally {
      await admin.quit();
    }
    const old = s.client.events({ since: origin, until: new Date(Date.now() + 1) });
    const kept: BerthEvent[] = [];
    for await (const e of old) kept.push(e);
    expect(old.truncated).to.equal(true);
    expect(kept.at(-1)!.Cursor).to.equal(last.Cursor);
    expect(kept.length).to.be.lessThan(all_.length);
    const recent = s.client.events({ since: kept[0]!.Cursor, until: new Date(Date.now() + 1) });
    await all(recent);
    expect(recent.truncated).to.equal(false);
  });

  it('bad options are EINVAL at the call, naming the option; nothing is read', () => {
    expect(einval(() => s.client.events({ filter: { colour: 'red' } as never }))).to.match(/`filter` colour is an invalid filter: use container, event, node or type/);
    expect(einval(() => s.client.events({ since: 'yesterday' }))).to.match(/`since` must be an RFC 3339 time/);
    expect(einval(() => s.client.events({ until: 'soon' }))).to.match(/`until` must be an RFC 3339 time/);
    expect(einval(() => s.client.events({ filter: { event: 'started' } }))).to.match(/event=started: not an event name/);
    expect(einval(() => s.client.events({ filter: { container: '' } }))).to.match(/`filter.container` must be a non-empty string/);
    expect(einval(() => s.client.events({ batch: 0 }))).to.match(/`batch` must be a whole number from 1 to 1000/);
  });
});
