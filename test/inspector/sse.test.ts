/**
 * GET /api/events: every committed transition as an SSE frame whose id is its stream id; a
 * reconnect with Last-Event-ID resumes after it, losing nothing and repeating nothing, even while
 * transitions keep committing around the reconnects.
 */
import { expect } from 'chai';
import { settled } from '../helpers/stack.js';
import { SseReader, startInspectorStack, type InspectorStack, type SseFrame } from './support.js';

const to = (path: string) => (f: SseFrame) => f.event === 'transition' && (JSON.parse(f.data) as { to: string }).to === path;

describe('inspector: SSE events with Last-Event-ID resume', function () {
  this.timeout(60_000);
  let s: InspectorStack;
  const readers: SseReader[] = [];
  const open = async (path: string, headers: Record<string, string> = {}) => {
    const r = await SseReader.open(`${s.base}${path}`, headers);
    readers.push(r);
    return r;
  };

  before(async () => {
    s = await startInspectorStack('inspsse');
  });
  afterEach(() => {
    for (const r of readers.splice(0)) r.close();
  });
  after(async () => {
    await s?.close();
  });

  const cursorNow = async () => ((await (await fetch(`${s.base}/api/containers`)).json()) as { cursor: string }).cursor;

  it('streams transitions from ?since= with stream ids and per-container versions', async () => {
    const r = await open(`/api/events?since=${await cursorNow()}`);
    expect(r.status).to.equal(200);
    await s.client.create({ name: 'sse-a', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start('sse-a');
    await r.next(to('running.idle'));
    const mine = r.transitions().filter((t) => t.name === 'sse-a');
    expect(mine.map((t) => t.to)).to.deep.equal(['configured', 'configured.initializing', 'created.starting', 'running.idle']);
    expect(mine.map((t) => t.version)).to.deep.equal([1, 2, 3, 4]);
    for (const t of mine) expect(t.streamId).to.match(/^\d+-\d+$/);
  });

  it('resumes after Last-Event-ID with exactly the missed transitions, then goes live', async () => {
    const first = await open(`/api/events?since=${await cursorNow()}`);
    await s.client.pause('sse-a');
    const paused = await first.next(to('paused.idle'));
    first.close();
    // while the page is away
    await s.client.unpause('sse-a');
    await s.client.pause('sse-a');
    const missed = (await s.client.eventFeed().range(paused.id!)).map((e) => e.streamId);
    expect(missed.length).to.be.greaterThanOrEqual(4);
    const again = await open('/api/events?since=0-0', { 'Last-Event-ID': paused.id! });
    await again.next((f) => f.id === missed[missed.length - 1]);
    expect(again.transitions().map((t) => t.streamId)).to.deep.equal(missed);
    await s.client.unpause('sse-a');
    const live = await again.next(to('running.idle'));
    expect(live.id).to.not.be.oneOf(missed);
  });

  it('loses and repeats nothing across reconnects while transitions keep coming', async () => {
    const start = await cursorNow();
    const reference = await open(`/api/events?since=${start}`);
    const names = ['sse-b', 'sse-c', 'sse-d'];
    const work = (async () => {
      for (const name of names) await s.client.create({ name, rootfs: s.rootfs, command: ['sleep', '1000'] });
      await Promise.all(names.map((n) => s.client.start(n)));
      for (let i = 0; i < 2; i++) {
        await Promise.all(names.map((n) => s.client.pause(n)));
        await Promise.all(names.map((n) => s.client.unpause(n)));
      }
    })();
    const seen: string[] = [];
    let last = start;
    let done = false;
    void work.finally(() => {
      done = true;
    });
    // reconnect on every third frame until the work is done
    while (!done) {
      const r = await open(`/api/events?since=${start}`, { 'Last-Event-ID': last });
      for (let i = 0; i < 3 && !done; i++) {
        const f = await Promise.race([r.next((x) => x.event === 'transition'), work.then(() => null)]);
        if (!f) break;
        seen.push(f.id!);
        last = f.id!;
      }
      r.close();
    }
    await work;
    const tail = await open(`/api/events?since=${start}`, { 'Last-Event-ID': last });
    const expected = (await s.client.eventFeed().range(start)).map((e) => e.streamId);
    const final = expected[expected.length - 1]!;
    if (last !== final) {
      await tail.next((f) => f.id === final);
      seen.push(...tail.transitions().map((t) => t.streamId));
    }
    await reference.next((f) => f.id === final);
    expect(seen).to.deep.equal(expected);
    expect(reference.transitions().map((t) => t.streamId)).to.deep.equal(expected);
  });

  it('without a cursor it starts from now; a malformed Last-Event-ID is 400', async () => {
    const r = await open('/api/events');
    await s.client.pause('sse-b');
    await settled(s.client, 'sse-b', 'paused');
    const f = await r.next((x) => x.event === 'transition');
    expect((JSON.parse(f.data) as { name: string }).name).to.equal('sse-b');
    const bad = await fetch(`${s.base}/api/events`, { headers: { 'Last-Event-ID': 'yesterday' } });
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).to.equal('EINVAL');
  });

  it('greets a page with the nodes and queues', async () => {
    const r = await open('/api/events');
    const nodes = await r.next((f) => f.event === 'nodes');
    expect((JSON.parse(nodes.data) as { name: string; live: boolean }[])[0]).to.include({ name: s.node, live: true });
    const queues = await r.next((f) => f.event === 'queues');
    expect(queues.id).to.equal(undefined);
    expect(JSON.parse(queues.data)).to.include({ node: s.node });
  });
});
