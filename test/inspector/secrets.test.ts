/**
 * The inspector as the issue found it, from a client without the token: a container's Env values
 * are hidden in GET /api/containers, /api/containers/:name and every SSE transition (its keys are
 * kept), and shown whole with the token; bound to every interface, the Host check stays on; one
 * event stream past the cap is refused with 503.
 */
import { expect } from 'chai';
import { createLogger } from '../../src/log.js';
import { startInspector, type Inspector } from '../../src/inspector/index.js';
import type { Inspect } from '../../src/actors/inspect.js';
import { SseReader, startInspectorStack, statusWithHost, type InspectorStack, type SseFrame } from './support.js';

const SECRET = 'db-password-9f8e7d6c';
const ENV = [`DB_PASSWORD=${SECRET}`, 'MODE=prod'];

describe('inspector: secrets and limits', function () {
  this.timeout(60_000);
  let s: InspectorStack;
  let cursor = '';
  const readers: SseReader[] = [];
  const auth = () => ({ Authorization: `Bearer ${s.inspector.token}` });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${s.base}${path}`, { headers });
  const open = async (base: string, path: string, headers: Record<string, string> = {}) => {
    const r = await SseReader.open(`${base}${path}`, headers);
    readers.push(r);
    return r;
  };
  const configured = (name: string) => (f: SseFrame) => f.event === 'transition' && (JSON.parse(f.data) as { name: string; to: string }).name === name;

  before(async () => {
    s = await startInspectorStack('inspsecrets');
    cursor = ((await (await get('/api/containers')).json()) as { cursor: string }).cursor;
    await s.client.create({ name: 'sec-web', rootfs: s.rootfs, command: ['sleep', '1000'], env: ENV });
  });
  afterEach(() => {
    for (const r of readers.splice(0)) r.close();
  });
  after(async () => {
    await s?.close();
  });

  it('GET /api/containers: Env keys only without the token, whole with it, 401 with a wrong one', async () => {
    const anonymous = await get('/api/containers');
    expect(anonymous.status).to.equal(200);
    const text = await anonymous.text();
    expect(text).to.not.contain(SECRET).and.not.contain('prod');
    const list = JSON.parse(text) as { containers: Inspect[] };
    expect(list.containers.find((c) => c.Name === 'sec-web')?.Config.Env).to.deep.equal(['DB_PASSWORD', 'MODE']);
    const full = (await (await get('/api/containers', auth())).json()) as { containers: Inspect[] };
    expect(full.containers.find((c) => c.Name === 'sec-web')?.Config.Env).to.deep.equal(ENV);
    const wrong = await get('/api/containers', { Authorization: 'Bearer not-the-token' });
    expect(wrong.status).to.equal(401);
    expect(await wrong.json()).to.deep.equal({ error: { code: 'EAUTH', message: 'wrong inspector token' } });
  });

  it('GET /api/containers/:name and its history: no Env value without the token', async () => {
    const detail = await get('/api/containers/sec-web');
    const text = await detail.text();
    expect(detail.status).to.equal(200);
    expect(text).to.not.contain(SECRET);
    expect((JSON.parse(text) as { container: Inspect }).container.Config.Env).to.deep.equal(['DB_PASSWORD', 'MODE']);
    expect(((await (await get('/api/containers/sec-web', auth())).json()) as { container: Inspect }).container.Config.Env).to.deep.equal(ENV);
    const history = await get('/api/containers/sec-web/history');
    expect(history.status).to.equal(200);
    expect(await history.text()).to.not.contain(SECRET);
  });

  it('GET /api/events: every transition, replayed or live, without Env values unless the token is sent', async () => {
    const anonymous = await open(s.base, `/api/events?since=${cursor}`);
    const trusted = await open(s.base, `/api/events?since=${cursor}`, auth());
    const replayed = await anonymous.next(configured('sec-web'));
    expect(replayed.data).to.not.contain(SECRET);
    expect((JSON.parse(replayed.data) as { state: Inspect }).state.Config.Env).to.deep.equal(['DB_PASSWORD', 'MODE']);
    expect((JSON.parse((await trusted.next(configured('sec-web'))).data) as { state: Inspect }).state.Config.Env).to.deep.equal(ENV);

    await s.client.create({ name: 'sec-live', rootfs: s.rootfs, command: ['true'], env: [`TOKEN=${SECRET}`] });
    const live = await anonymous.next(configured('sec-live'));
    expect((JSON.parse(live.data) as { state: Inspect }).state.Config.Env).to.deep.equal(['TOKEN']);
    expect((JSON.parse((await trusted.next(configured('sec-live'))).data) as { state: Inspect }).state.Config.Env).to.deep.equal([`TOKEN=${SECRET}`]);
    expect(anonymous.frames.map((f) => f.data).join('\n')).to.not.contain(SECRET);
  });

  describe('bound to every interface, with a cap of 2 event streams', () => {
    let wide: Inspector;
    let base = '';
    let port = 0;

    before(async () => {
      const log = createLogger({ level: 'silent', pretty: false });
      wide = await startInspector({ redis: s.redis.url, prefix: s.prefix, host: '0.0.0.0', port: 0, log, allowedHosts: ['berth.example'], maxEventStreams: 2 });
      base = wide.url.replace(/\/$/, '');
      port = Number(new URL(wide.url).port);
    });
    after(async () => {
      await wide?.close();
    });

    it('keeps the Host check on: loopback names and --allowed-hosts only', async () => {
      expect(await statusWithHost(base, '/api/nodes', `evil.example:${port}`)).to.equal(403);
      expect(await statusWithHost(base, '/api/nodes', 'berth.example')).to.equal(200);
      expect(await statusWithHost(base, '/api/nodes', `localhost:${port}`)).to.equal(200);
    });

    it('refuses one event stream past the cap with 503 and a clear body; a freed slot is taken again', async () => {
      const first = await open(base, '/api/events');
      const second = await open(base, '/api/events');
      expect([first.status, second.status]).to.deep.equal([200, 200]);
      const third = await fetch(`${base}/api/events`);
      expect(third.status).to.equal(503);
      expect(third.headers.get('retry-after')).to.equal('5');
      expect(await third.json()).to.deep.equal({
        error: { code: 'EBUSY', message: 'too many event streams open (2, the --max-event-streams limit): close a page, or raise the limit' },
      });
      first.close();
      // the server frees the slot when it sees the connection close: each attempt is one round trip
      let status = 0;
      for (let attempt = 0; attempt < 200 && status !== 200; attempt++) {
        const again = await open(base, '/api/events');
        status = again.status;
        if (status !== 200) again.close();
      }
      expect(status).to.equal(200);
    });
  });
});
