/**
 * Separate hosts: two nodes, each in a network namespace of its own (made by this test, joined to
 * the root namespace by a veth, removed after), each with its own runc root and state dir, reach
 * Redis over their veth address. The client, in the root namespace, routes each container's
 * commands to its node (runc on that node has it, the other node's runc does not), and sees a
 * node lost when its worker dies (heartbeat expiry, heard through keyspace notifications). A
 * client on host b follows the live output of a container on host a through Redis alone.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { expect } from 'chai';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { Berth, type BerthClient } from '../../src/queue/client.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { Keys } from '../../src/store/keys.js';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import { nodeEnv, type WorkerProcess } from '../helpers/processes.js';
import { testPrefix } from '../helpers/redis.js';
import { RUNC } from '../helpers/stack.js';
import { ipIn, listNetns, NetnsLab, netnsInode, spawnWorkerIn, startTcpRedis, type NetnsHost, type TcpRedis } from '../helpers/netns.js';

interface Node {
  name: string;
  host: NetnsHost;
  env: Record<string, string>;
  root: string;
  worker?: WorkerProcess | undefined;
}

async function runcState(root: string, id: string): Promise<{ status: string; pid: number } | null> {
  const r = await execa(RUNC, ['--root', root, 'state', id], { reject: false });
  if (r.exitCode !== 0) return null;
  return JSON.parse(r.stdout) as { status: string; pid: number };
}

describe('e2e: nodes on separate hosts (network namespaces)', function () {
  this.timeout(60_000);
  const lab = new NetnsLab();
  const prefix = testPrefix('netns');
  let redis: TcpRedis | undefined;
  let client: BerthClient | undefined;
  let events: Redis | undefined;
  const nodes: Node[] = [];

  before(async function () {
    const reason = await lab.probe();
    if (reason) {
      console.warn(`      skipped: ${reason}`);
      this.skip();
    }
    const a = await lab.add(1);
    const b = await lab.add(2);
    // Redis for this test only: on the root side of both veths and on loopback, for the client
    redis = await startTcpRedis(['127.0.0.1', a.hostAddr, b.hostAddr]);
    for (const [name, host] of [['ns-a', a], ['ns-b', b]] as const) {
      const env = nodeEnv(redis.url(host.hostAddr), prefix, name, { BERTH_HEARTBEAT_MS: '300', BERTH_LOST_MS: '1500' });
      nodes.push({ name, host, env, root: env['BERTH_RUNC_ROOT']! });
    }
    for (const n of nodes) n.worker = await spawnWorkerIn(n.host.ns, n.env);
    client = await Berth.connect({ redis: redis.url('127.0.0.1'), prefix });
    events = new Redis(redisOptionsFromUrl(redis.url('127.0.0.1')));
    await events.config('SET', 'notify-keyspace-events', 'Ex');
  });

  after(async () => {
    // every step runs whatever failed before it
    const step = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        console.error(`netns cleanup: ${what}: ${String(err)}`);
      }
    };
    await step('client', async () => client?.close());
    await step('events', async () => events?.disconnect());
    for (const n of nodes) {
      await step(`worker ${n.name}`, async () => {
        n.worker?.proc.kill('SIGKILL');
        await n.worker?.proc;
      });
      await step(`runc containers of ${n.name}`, async () => {
        const list = await execa(RUNC, ['--root', n.root, 'list', '-q'], { reject: false });
        for (const id of list.stdout.split('\n').filter(Boolean)) await execa(RUNC, ['--root', n.root, 'delete', '--force', id], { reject: false });
      });
    }
    await step('redis', async () => redis?.stop());
    await step('namespaces', async () => {
      const failures = await lab.remove();
      if (failures.length > 0) throw new Error(failures.join('; '));
    });
    for (const n of nodes) rmSync(dirname(n.env['BERTH_STATE_DIR']!), { recursive: true, force: true });
    // a failure here fails the run: a namespace left behind would outlive the test
    expect(await listNetns(`berth-${lab.tag}-`), 'namespaces left behind').to.deep.equal([]);
  });

  it('are separate: each reaches Redis over its own veth and has no route to the other', async () => {
    const [a, b] = nodes as [Node, Node];
    // a /30 each and no default route: a host sees the root side of its own veth, nothing else
    expect((await ipIn(a.host.ns, ['route', 'get', a.host.hostAddr])).exitCode).to.equal(0);
    const across = await ipIn(a.host.ns, ['route', 'get', b.host.hostAddr]);
    expect(across.exitCode).to.not.equal(0);
    expect(across.stderr).to.match(/unreachable/i);
    expect((await ipIn(b.host.ns, ['route', 'get', a.host.nsAddr])).exitCode).to.not.equal(0);
    // each worker process lives in its namespace, and its Redis connection comes from its address
    for (const n of nodes) {
      expect(netnsInode(`/proc/${String(n.worker!.proc.pid)}/ns/net`)).to.equal(netnsInode(n.host.path));
    }
    const clients = String(await events!.client('LIST'));
    for (const n of nodes) expect(clients).to.contain(`addr=${n.host.nsAddr}:`);
  });

  it('routes commands to the node a container is pinned to, and runc there runs it', async () => {
    const [a, b] = nodes as [Node, Node];
    const rootfs = await ensureBusyboxRootfs(join(tmpdir(), 'berth-test-rootfs'));
    const onA = await client!.create({ name: 'on-a', rootfs, command: ['sleep', '1000'], node: 'ns-a', network: 'host' });
    const onB = await client!.create({ name: 'on-b', rootfs, command: ['sleep', '1000'], node: 'ns-b' });
    expect(onA.Node).to.equal('ns-a');
    expect(onB.Node).to.equal('ns-b');
    expect((await client!.start('on-a')).State.Status).to.equal('running');
    expect((await client!.start('on-b')).State.Status).to.equal('running');

    // runc state is local to a node: each root has its own container and not the other's
    const stateA = await runcState(a.root, onA.Id);
    const stateB = await runcState(b.root, onB.Id);
    expect(stateA?.status).to.equal('running');
    expect(stateB?.status).to.equal('running');
    expect(await runcState(b.root, onA.Id)).to.equal(null);
    expect(await runcState(a.root, onB.Id)).to.equal(null);
    // a container on the host network shares its node's: it runs "on" that host; one by default
    // has a network namespace of its own, neither its node's nor another's
    expect(netnsInode(`/proc/${String(stateA!.pid)}/ns/net`)).to.equal(netnsInode(a.host.path));
    const ownB = netnsInode(`/proc/${String(stateB!.pid)}/ns/net`);
    expect(ownB).to.not.be.oneOf([netnsInode(a.host.path), netnsInode(b.host.path), netnsInode('/proc/self/ns/net')]);

    expect((await client!.pause('on-a')).State.Status).to.equal('paused');
    expect((await runcState(a.root, onA.Id))?.status).to.equal('paused');
    expect((await runcState(b.root, onB.Id))?.status).to.equal('running');
  });

  it('a client on another host (namespace) follows live output of a container on ns-a', async () => {
    const [a, b] = nodes as [Node, Node];
    const rootfs = await ensureBusyboxRootfs(join(tmpdir(), 'berth-test-rootfs'));
    await client!.create({ name: 'talker', rootfs, node: 'ns-a', command: ['sh', '-c', 'echo ready; trap "echo got usr1" USR1; trap "exit 5" TERM; while :; do sleep 0.05; done'] });
    await client!.start('talker');
    // the follower reaches Redis over host b's veth; it shares nothing with node a but Redis
    const follower = execa('nsenter', [`--net=${b.host.path}`, '--', 'node', '--import', 'tsx', 'test/fixtures/follow-logs.ts', 'talker'], {
      env: { ...process.env, BERTH_REDIS_URL: redis!.url(b.host.hostAddr), BERTH_PREFIX: prefix },
      reject: false,
      buffer: false,
    });
    let out = '';
    const waiters = new Set<() => void>();
    follower.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      for (const w of [...waiters]) w();
    });
    const seen = (want: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!out.includes(want)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        void follower.then((r) => reject(new Error(`follower exited (${String(r.exitCode)}) before "${want}": ${out}`)));
        check();
      });
    await seen('ready\n');
    expect(netnsInode(`/proc/${String(follower.pid)}/ns/net`)).to.equal(netnsInode(b.host.path));
    expect(String(await events!.client('LIST'))).to.contain(`addr=${b.host.nsAddr}:`);
    await client!.kill('talker', { signal: 'SIGUSR1' });
    await seen('got usr1\n');
    await client!.stop('talker');
    expect((await follower).exitCode).to.equal(0);
    expect(out).to.equal('following\nready\ngot usr1\nend 5\n');
    expect((await client!.inspect('talker')).Node).to.equal(a.name);
    await client!.remove('talker');
  });

  it('sees a node lost when its worker dies, while the other node keeps working', async () => {
    const [a, b] = nodes as [Node, Node];
    const sub = events!.duplicate();
    const heartbeat = new Keys(prefix).nodeHeartbeat('ns-b');
    const expired = new Promise<void>((resolve) => {
      sub.on('message', (_channel: string, key: string) => {
        if (key === heartbeat) resolve();
      });
    });
    await sub.subscribe('__keyevent@0__:expired');
    b.worker!.proc.kill('SIGKILL');
    await b.worker!.proc;
    b.worker = undefined;
    await expired;
    sub.disconnect();

    const lost = await client!.inspect('on-b');
    expect(lost.State.Status).to.equal('unknown');
    expect(lost.State.Error).to.match(/^node ns-b lost: no heartbeat since \d{4}-.* \(last known state running\)$/);
    const list = await client!.nodeList();
    expect(list.find((n) => n.name === 'ns-b')).to.include({ live: false, containers: 1 });
    expect(list.find((n) => n.name === 'ns-a')).to.include({ live: true, containers: 1 });
    // the container itself still runs on ns-b: only Berth's view of it is unknown
    const onB = await client!.inspect('on-b');
    expect((await runcState(b.root, onB.Id))?.status).to.equal('running');

    // ns-a is unaffected: a command to its container goes through, and runc there agrees
    expect((await client!.inspect('on-a')).State.Status).to.equal('paused');
    expect((await client!.unpause('on-a')).State.Status).to.equal('running');
    const onA = await client!.inspect('on-a');
    expect((await runcState(a.root, onA.Id))?.status).to.equal('running');
  });
});
