/**
 * Images through the queue, on two nodes in network namespaces (separate "hosts"): both pull one
 * image from a real registry (Debian's docker-registry, the image pushed with skopeo from
 * Podman's save) as jobs on their image queues, with Podman's progress lines; ls and inspect read
 * the nodes' indexes; tag and rm act per node; bad jobs and failed pulls leave both nodes serving.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { Queue, QueueEvents } from 'bullmq';
import { BerthError } from '../../src/errors.js';
import { Berth, type BerthClient } from '../../src/queue/client.js';
import { Keys } from '../../src/store/keys.js';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { Redis } from 'ioredis';
import { ipIn, listNetns, NetnsLab, spawnWorkerIn, startTcpRedis, type NetnsHost, type TcpRedis } from '../helpers/netns.js';
import { nodeEnv, type WorkerProcess } from '../helpers/processes.js';
import { testPrefix } from '../helpers/redis.js';
import { TEST_ROOTFS } from '../helpers/stack.js';
import { podmanSaves } from '../helpers/image-fixtures.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

describe('e2e: images on two nodes in network namespaces, from a real registry', function () {
  this.timeout(60_000);
  const lab = new NetnsLab();
  const prefix = testPrefix('images');
  let redis: TcpRedis | undefined;
  let registry: TestRegistry | undefined;
  let client: BerthClient | undefined;
  let dir = '';
  let saves: Awaited<ReturnType<typeof podmanSaves>>;
  const workers: { name: string; host: NetnsHost; env: Record<string, string>; proc?: WorkerProcess }[] = [];

  before(async function () {
    const reason = await lab.probe();
    if (reason) {
      console.warn(`      skipped: ${reason}`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'berth-e2e-images-'));
    saves = await podmanSaves(await ensureBusyboxRootfs(TEST_ROOTFS), dir, `localhost/berth-e2e-images-${process.pid}:v1`);
    // host numbers of their own: the veth /30s stay clear of the netns test's
    const a = await lab.add(17);
    const b = await lab.add(18);
    // the registry listens on host a's router address; host b gets a route to that one address
    registry = await startRegistry({ bind: a.hostAddr });
    await registry.push(saves.oci, 'berth/box:v1');
    const route = await ipIn(b.ns, ['route', 'add', `${a.hostAddr}/32`, 'via', b.hostAddr]);
    expect(route.exitCode, route.stderr).to.equal(0);
    redis = await startTcpRedis(['127.0.0.1', a.hostAddr, b.hostAddr]);
    for (const [name, host] of [['img-a', a], ['img-b', b]] as const) workers.push({ name, host, env: nodeEnv(redis.url(host.hostAddr), prefix, name) });
    for (const w of workers) w.proc = await spawnWorkerIn(w.host.ns, w.env);
    client = await Berth.connect({ redis: redis.url('127.0.0.1'), prefix });
  });

  after(async () => {
    const step = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        console.error(`images cleanup: ${what}: ${String(err)}`);
      }
    };
    await step('client', async () => client?.close());
    for (const w of workers) {
      await step(`worker ${w.name}`, async () => {
        w.proc?.proc.kill('SIGKILL');
        await w.proc?.proc;
      });
    }
    await step('registry', async () => registry?.stop());
    await step('redis', async () => redis?.stop());
    await step('namespaces', async () => {
      const failures = await lab.remove();
      if (failures.length > 0) throw new Error(failures.join('; '));
    });
    for (const w of workers) rmSync(dirname(w.env['BERTH_STATE_DIR']!), { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
    expect(await listNetns(`berth-${lab.tag}-`), 'namespaces left behind').to.deep.equal([]);
  });

  const ref = () => `${registry!.host}/berth/box:v1`;

  it('pull goes to every live node, each pulling from the registry, with progress from each', async () => {
    const lines: string[] = [];
    const pulled = await client!.images.pull(ref(), { tlsVerify: false, onProgress: (line, node) => lines.push(`${node}: ${line}`) });
    expect(pulled.map((p) => p.node).sort()).to.deep.equal(['img-a', 'img-b']);
    for (const p of pulled) expect(p.id).to.equal(saves.id);
    for (const n of ['img-a', 'img-b']) {
      expect(lines).to.include(`${n}: Trying to pull ${ref()}...`);
      expect(lines).to.include(`${n}: Writing manifest to image destination`);
    }
    // each node unpacked the layer into its own state dir
    for (const w of workers) {
      const ls = await execa('ls', [join(w.env['BERTH_STATE_DIR']!, 'images', 'layers')]);
      expect(ls.stdout.split('\n')).to.have.length(1);
    }
    const listed = await client!.images.list();
    expect(listed.map((i) => `${i.node} ${i.id} ${i.names.join(',')}`).sort()).to.deep.equal(['img-a', 'img-b'].map((n) => `${n} ${saves.id} ${ref()}`));
  });

  it('tag and rm act on the nodes that have the image; inspect finds it by short name and short Id', async () => {
    const tagged = await client!.images.tag(saves.id.slice(0, 12), 'mine:1');
    expect(tagged.map((t) => t.names).flat()).to.include('localhost/mine:1');
    expect((await client!.images.inspect('mine:1')).map((i) => i.node).sort()).to.deep.equal(['img-a', 'img-b']);
    const removed = await client!.images.remove('mine:1', { node: 'img-b' });
    expect(removed.map((r) => r.node)).to.deep.equal(['img-b']);
    expect((await client!.images.list()).map((i) => i.node)).to.deep.equal(['img-a']);
    const e = await client!.images.inspect('nope:9').then(() => null, (err: unknown) => err as BerthError);
    expect(e?.code).to.equal('ENOIMAGE');
  });

  it('load picks a node that can read the file; bad jobs and failed pulls fail clearly and the nodes keep serving', async () => {
    const loaded = await client!.images.load(saves.docker);
    expect(loaded).to.have.length(1);
    expect(loaded[0]!.id).to.equal(saves.id);
    const missing = await client!.images.pull(`${registry!.host}/berth/none:v1`, { tlsVerify: false, node: 'img-b' }).then(() => null, (err: unknown) => err as BerthError);
    expect(missing?.code).to.equal('ENOIMAGE');
    const missingFile = await client!.images.load('/nonexistent/archive.tar').then(() => null, (err: unknown) => err as BerthError);
    expect(missingFile?.message).to.match(/archive archive\.tar: no such file/);
    // a foreign producer's malformed job: refused with the contract's words
    const keys = new Keys(prefix);
    const conn = new Redis(redisOptionsFromUrl(redis!.url('127.0.0.1')));
    const q = new Queue(keys.imageQueue('img-a'), { connection: conn, prefix: keys.queuePrefix });
    const blocking = new Redis({ ...redisOptionsFromUrl(redis!.url('127.0.0.1')), maxRetriesPerRequest: null });
    const qe = new QueueEvents(keys.imageQueue('img-a'), { connection: blocking, prefix: keys.queuePrefix });
    try {
      await qe.waitUntilReady();
      const job = await q.add('pull', { ref: 42, extra: true });
      const failed = await job.waitUntilFinished(qe).then(() => null, (err: unknown) => String(err));
      expect(failed).to.match(/EINVAL: invalid pull job: ref: ref must be a string/);
      const odd = await q.add('explode', {});
      expect(await odd.waitUntilFinished(qe).then(() => null, (err: unknown) => String(err))).to.match(/EINVAL: unknown image job "explode"/);
    } finally {
      await qe.close();
      await q.close();
      conn.disconnect();
      blocking.disconnect();
    }
    // both still serve
    const again = await client!.images.pull(ref(), { tlsVerify: false });
    expect(again.map((p) => p.node).sort()).to.deep.equal(['img-a', 'img-b']);
  });
});
