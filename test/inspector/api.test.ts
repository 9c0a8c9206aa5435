/**
 * The inspector's JSON API against a real stack (private Redis, worker on real runc): reads,
 * the boundary (401 without the token, 403 cross-origin, 404/400/409 through HTTP_STATUSES),
 * and a POST that really pauses the container in runc. A refused request changes nothing.
 */
import { expect } from 'chai';
import { settled } from '../helpers/stack.js';
import { startInspectorStack, statusWithHost, type InspectorStack } from './support.js';

describe('inspector: JSON API', function () {
  this.timeout(60_000);
  let s: InspectorStack;
  let id = '';

  before(async () => {
    s = await startInspectorStack('inspapi');
    id = (await s.client.create({ name: 'api-web', rootfs: s.rootfs, command: ['sleep', '1000'] })).Id;
    await s.client.start('api-web');
  });
  after(async () => {
    await s?.close();
  });

  const post = (path: string, headers: Record<string, string> = {}, body?: string) =>
    fetch(`${s.base}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${s.inspector.token}`, ...headers },
      ...(body === undefined ? {} : { body }),
    });
  const json = async (res: Response) => (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } };

  it('generates a token and binds 127.0.0.1 by default', () => {
    expect(s.inspector.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(s.inspector.token).to.match(/^[A-Za-z0-9_-]{32}$/);
  });

  it('serves the page with a CSP that allows no external source', async () => {
    const res = await fetch(`${s.base}/`);
    expect(res.status).to.equal(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).to.contain("default-src 'none'").and.contain("script-src 'self'").and.not.match(/https?:/);
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    const html = await res.text();
    expect(html).to.contain('<script src="/app.js" defer></script>').and.not.match(/https?:\/\//);
    const js = await (await fetch(`${s.base}/app.js`)).text();
    expect(js.length).to.be.greaterThan(1000);
    expect(js).to.not.match(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('GET /api/containers lists containers with a resume cursor', async () => {
    const body = (await json(await fetch(`${s.base}/api/containers`))) as { cursor: string; containers: { Name: string; State: { Status: string } }[] };
    expect(body.cursor).to.match(/^\d+-\d+$/);
    const web = body.containers.find((c) => c.Name === 'api-web');
    expect(web?.State.Status).to.equal('running');
  });

  it('GET /api/containers/:name gives the state and the commands valid in it, with reasons', async () => {
    const body = (await json(await fetch(`${s.base}/api/containers/api-web`))) as {
      path: string;
      commands: { command: string; valid: boolean; reason: string }[];
    };
    expect(body.path).to.equal('running');
    const valid = body.commands.filter((c) => c.valid).map((c) => c.command);
    expect(valid).to.deep.equal(['stop', 'kill', 'pause', 'restart', 'sync', 'checkpoint', 'mount']);
    const unpause = body.commands.find((c) => c.command === 'unpause');
    expect(unpause?.reason).to.equal('cannot unpause a container in state running (container state improper); unpause is valid in paused');
  });

  it('GET history, nodes and queues', async () => {
    const h = (await json(await fetch(`${s.base}/api/containers/api-web/history`))) as { history: { from: string; to: string }[] };
    expect(h.history.map((e) => `${e.from}>${e.to}`)).to.include('created>running');
    const n = (await json(await fetch(`${s.base}/api/nodes`))) as { nodes: { name: string; live: boolean; load: { concurrency: number } }[] };
    expect(n.nodes).to.have.length(1);
    expect(n.nodes[0]).to.include({ name: s.node, live: true });
    expect(n.nodes[0]?.load.concurrency).to.equal(8);
    const q = (await json(await fetch(`${s.base}/api/queues`))) as { queues: { node: string; queue: string; counts: Record<string, number> }[] };
    expect(q.queues[0]).to.include({ node: s.node, queue: `node.${s.node}` });
    expect(q.queues[0]?.counts).to.have.keys('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
  });

  it('401 without the token or with a wrong one, and nothing changes', async () => {
    const none = await fetch(`${s.base}/api/containers/api-web/pause`, { method: 'POST' });
    expect(none.status).to.equal(401);
    expect(none.headers.get('www-authenticate')).to.contain('Bearer');
    expect((await json(none)).error?.code).to.equal('EAUTH');
    const wrong = await post('/api/containers/api-web/pause', { Authorization: 'Bearer not-the-token' });
    expect(wrong.status).to.equal(401);
    expect((await s.client.inspect('api-web')).State.Status).to.equal('running');
    expect((await s.runc(id))?.status).to.equal('running');
  });

  it('403 for a cross-origin request, even with the token', async () => {
    const other = await post('/api/containers/api-web/pause', { Origin: 'http://evil.example' });
    expect(other.status).to.equal(403);
    expect((await json(other)).error?.code).to.equal('EORIGIN');
    const site = await post('/api/containers/api-web/pause', { 'Sec-Fetch-Site': 'cross-site' });
    expect(site.status).to.equal(403);
    expect(await statusWithHost(s.base, '/api/containers', 'rebound.example:80')).to.equal(403);
    expect((await s.runc(id))?.status).to.equal('running');
  });

  it('404 for an unknown container, 400 for a bad command or body', async () => {
    const missing = await post('/api/containers/nosuch/pause');
    expect(missing.status).to.equal(404);
    expect((await json(missing)).error).to.deep.include({ code: 'ENOCTR', message: 'no such container nosuch' });
    expect((await fetch(`${s.base}/api/containers/nosuch`)).status).to.equal(404);
    const bad = await post('/api/containers/api-web/explode');
    expect(bad.status).to.equal(400);
    const error = (await json(bad)).error;
    expect(error?.code).to.equal('EINVAL');
    expect(error?.message).to.equal('invalid command: unknown command "explode"; one of init, start, stop, kill, pause, unpause, restart, cleanup, remove, sync, checkpoint, restore, healthcheck, mount, unmount');
    const badBody = await post('/api/containers/api-web/stop', { 'Content-Type': 'application/json' }, '{"timeout":-1}');
    expect(badBody.status).to.equal(400);
    const notJson = await post('/api/containers/api-web/stop', { 'Content-Type': 'text/plain' }, 'timeout=1');
    expect(notJson.status).to.equal(400);
    expect((await fetch(`${s.base}/api/nope`)).status).to.equal(404);
    expect((await fetch(`${s.base}/api/containers`, { method: 'DELETE' })).status).to.equal(405);
  });

  it('409 for a command the state refuses, naming the command and the state', async () => {
    const res = await post('/api/containers/api-web/unpause');
    expect(res.status).to.equal(409);
    expect((await json(res)).error).to.deep.include({
      code: 'ECTRSTATE',
      message: 'cannot unpause container api-web in state running: container state improper',
    });
    expect((await s.client.inspect('api-web')).State.Status).to.equal('running');
  });

  it('POST pause pauses it in runc; POST unpause resumes it', async () => {
    const res = await post('/api/containers/api-web/pause');
    expect(res.status).to.equal(200);
    const body = (await json(res)) as { jobId: string; pending: boolean; container: { State: { Status: string } } };
    expect(body.pending).to.equal(false);
    expect(body.jobId).to.match(new RegExp(`^${id}-\\d+$`));
    expect(body.container.State.Status).to.equal('paused');
    expect((await s.runc(id))?.status).to.equal('paused');
    const back = await post('/api/containers/api-web/unpause', { 'Content-Type': 'application/json', Origin: s.base }, '{}');
    expect(back.status).to.equal(200);
    expect((await s.runc(id))?.status).to.equal('running');
  });

  it('POST stop with a timeout argument; start of a running one is 304', async () => {
    expect((await post('/api/containers/api-web/start')).status).to.equal(304);
    const res = await post('/api/containers/api-web/stop', { 'Content-Type': 'application/json' }, '{"timeout":0}');
    expect(res.status).to.equal(200);
    await settled(s.client, 'api-web', 'exited');
    expect(await s.runc(id)).to.equal(null);
    expect((await post('/api/containers/api-web/stop')).status).to.equal(304);
  });

  it('a failed job shows its error in GET /api/queues and can be retried', async () => {
    // queued around the inspector's own check: the worker refuses it and the job fails for good
    const { jobId, result } = await s.client.enqueue('api-web', 'unpause');
    await result().catch(() => undefined);
    const q = (await json(await fetch(`${s.base}/api/queues`))) as {
      queues: { counts: { failed: number }; jobs: { failed: { id: string; command: string; failedReason: string }[] } }[];
    };
    const failed = q.queues[0]?.jobs.failed.find((j) => j.id === jobId);
    expect(failed?.command).to.equal('unpause');
    expect(failed?.failedReason).to.equal('ECTRSTATE: cannot unpause container api-web in state exited: container state improper');
    expect((await post(`/api/queues/${s.node}/jobs/${jobId}/retry`, { Origin: 'http://evil.example' })).status).to.equal(403);
    const retried = await post(`/api/queues/${s.node}/jobs/${jobId}/retry`);
    expect(retried.status).to.equal(200);
    expect(((await json(retried)) as { job: { id: string } }).job.id).to.equal(jobId);
    const unknown = await post(`/api/queues/${s.node}/jobs/no-such-job/retry`);
    expect(unknown.status).to.equal(400);
  });
});
