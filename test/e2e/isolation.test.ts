/**
 * Containers are untrusted (DESIGN invariant 9), tried the way issue 17 found the holes: from
 * inside a busybox container against Berth's own Redis on the node's loopback, and with root
 * filesystems a producer should not be able to pick. Full stack: client, queue, worker, real runc.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { rejection } from '../helpers/assert.js';
import { settled, startStack, type Stack } from '../helpers/stack.js';
import { cgroupDir } from '../oci/support.js';

describe('e2e: isolation from the control plane', function () {
  this.timeout(30_000);
  let s: Stack;

  before(async () => {
    s = await startStack('isolation', { tcp: true });
  });
  after(async () => {
    await s?.close();
  });

  /** Runs `script` to its end; its exit code and output. */
  async function run(name: string, script: string, extra: { network?: 'host' | 'none' } = {}): Promise<{ code: number; out: string }> {
    await s.client.create({ name, rootfs: s.rootfs, command: ['sh', '-c', script], ...extra });
    await s.client.start(name);
    const code = await s.client.wait(name);
    const lines: string[] = [];
    for await (const l of s.client.logs(name, { follow: true })) lines.push(l.text);
    const out = lines.join('\n');
    await s.client.remove(name, { force: true });
    return { code, out };
  }

  // the attack: busybox nc speaks RESP to the Redis the worker uses, on the node's 127.0.0.1 (QUIT
  // makes Redis close the connection; -w bounds nc's wait for the replies)
  const attack = () => `printf 'KEYS *\\r\\nQUIT\\r\\n' | nc -w 5 127.0.0.1 ${s.redis.port}`;

  it("cannot reach Berth's Redis on the node's loopback: its own network namespace, by default", async () => {
    expect(s.redis.url).to.equal(`redis://127.0.0.1:${s.redis.port}`);
    const { code, out } = await run('attacker', attack());
    expect(code, out).to.equal(1);
    expect(out).to.contain("nc: can't connect to remote host (127.0.0.1): Connection refused");
    expect(out).to.not.contain(s.prefix);
  });

  it("reaches it with network host, the explicit opt-in: the node's network is the container's", async () => {
    await s.client.create({ name: 'bystander', rootfs: s.rootfs, command: ['sleep', '1000'] });
    const { code, out } = await run('trusted', attack(), { network: 'host' });
    expect(code, out).to.equal(0);
    expect(out).to.contain(`${s.prefix}:`); // Berth's keys, the bystander's record among them
    await s.client.remove('bystander', { force: true });
  });

  it('runs every container under seccomp and in a cgroup with the pids limit, 2048 by default', async () => {
    const { out } = await run('filtered', 'grep ^Seccomp: /proc/self/status');
    expect(out).to.equal('Seccomp:\t2');
    const limited = await s.client.create({ name: 'limited', rootfs: s.rootfs, command: ['sleep', '1000'], pidsLimit: 5 });
    const plain = await s.client.create({ name: 'plain', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await Promise.all([s.client.start('limited'), s.client.start('plain')]);
    expect((await readFile(join(cgroupDir('pids', limited.Id), 'pids.max'), 'utf8')).trim()).to.equal('5');
    expect((await readFile(join(cgroupDir('pids', plain.Id), 'pids.max'), 'utf8')).trim()).to.equal('2048');
    await Promise.all([s.client.remove('limited', { force: true, timeout: 0 }), s.client.remove('plain', { force: true, timeout: 0 })]);
  });

  it('refuses a rootfs outside the rootfs roots, or holding Berth\'s state, at create, and creates nothing', async () => {
    const before = (await s.client.list({ all: true })).length;
    const roots = `(${s.rootfs})`;
    const usr = await rejection(s.client.create({ name: 'host-usr', rootfs: '/usr', command: ['true'] }));
    expect(usr.code).to.equal('EINVAL');
    expect(usr.message).to.equal(`rootfs "/usr" is outside the rootfs roots of node ${s.node} ${roots}: start its worker with --rootfs-root to allow a directory`);
    const climb = await rejection(s.client.create({ name: 'climb', rootfs: `${s.rootfs}/../../usr`, command: ['true'] }));
    expect(climb.message).to.contain(`"${s.rootfs}/../../usr" (/usr) is outside the rootfs roots`);
    const slash = await rejection(s.client.create({ name: 'slash', rootfs: '/', command: ['true'] }));
    expect(slash.message).to.equal('rootfs "/" is /: a container would see the whole host');
    const state = await rejection(s.client.create({ name: 'state', rootfs: s.stateDir, command: ['true'] }));
    expect(state.message).to.equal(`rootfs "${s.stateDir}" holds ${s.stateDir}, which Berth keeps to itself`);
    const bundles = await rejection(s.client.create({ name: 'bundles', rootfs: join(s.stateDir, 'bundles'), command: ['true'] }));
    expect(bundles.message).to.match(/lies inside .*, which Berth keeps to itself$/);
    expect((await s.client.list({ all: true })).length).to.equal(before);
    // the names stay free
    await s.client.create({ name: 'host-usr', rootfs: s.rootfs, command: ['true'] });
    await settled(s.client, 'host-usr', 'configured');
    await s.client.remove('host-usr');
  });
});
