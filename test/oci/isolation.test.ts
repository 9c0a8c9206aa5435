/**
 * What a container sees of its host, on real runc and conmon (issue 17, points 1 and 4): its own
 * network namespace with only loopback, Podman's default seccomp filter (a syscall it denies fails
 * inside, and works unconfined), a cgroup of its own whose pids limit stops a fork bomb. Exits are
 * awaited through the exit-dir monitor, the fork bomb through its log, never by sleeping.
 */
import { access, readFile } from 'node:fs/promises';
import { expect } from 'chai';
import type { RuntimeSpec, SeccompProfile } from '../../src/oci/index.js';
import { ExitCollector, cgroupDir, makeSandbox, readLog, untilFileMatches, type Sandbox } from './support.js';

describe('oci/isolation: namespaces, seccomp and pids limit on real runc', function () {
  this.timeout(30_000);
  let s: Sandbox;
  let exits: ExitCollector;
  let n = 0;

  before(async () => {
    s = await makeSandbox('isolation');
    exits = await new ExitCollector(s.runtime.exitMonitor()).start();
  });
  after(async () => {
    await exits?.close();
    await s?.cleanup();
  });

  /** Runs `script` in a fresh container to its exit; its output and exit code. */
  async function run(script: string, extra: Partial<RuntimeSpec> = {}): Promise<{ out: string; code: number; id: string }> {
    const id = `iso${++n}`;
    await s.runtime.create(s.spec(id, ['sh', '-c', script], extra));
    const exited = exits.next(id);
    await s.runtime.start(id);
    const { code } = await exited;
    const out = (await readLog(s.runtime.layout.log(id))).map((l) => l.text).join('\n');
    await s.runtime.delete(id);
    return { out, code, id };
  }

  it('gives each container a network namespace with only loopback, up (as podman --network none)', async () => {
    const { out, code } = await run("awk 'NR>2 {print $1}' /proc/net/dev; ip -o link; ip -o addr");
    expect(code, out).to.equal(0);
    const lines = out.split('\n');
    expect(lines[0]).to.equal('lo:');
    expect(lines.filter((l) => /^\w+:$/.test(l)), 'interfaces in /proc/net/dev').to.deep.equal(['lo:']);
    expect(out).to.match(/^1: lo: <LOOPBACK,UP,LOWER_UP>/m);
    expect(out).to.match(/^1: lo\s+inet 127\.0\.0\.1\/8 scope host lo/m);
    expect(lines.filter((l) => /^\d+: /.test(l) && !/^1: lo[:\s]/.test(l)), 'no other link or address').to.deep.equal([]);
  });

  it("shares the host's interfaces only with network host", async () => {
    const host = (await readFile('/proc/net/dev', 'utf8')).split('\n').slice(2).map((l) => l.trim().split(/\s+/)[0]).filter(Boolean);
    const { out } = await run("awk 'NR>2 {print $1}' /proc/net/dev", { network: 'host' });
    expect(out.split('\n').sort()).to.deep.equal([...host].sort());
  });

  it('runs under a seccomp filter (Seccomp: 2), and a syscall the profile denies fails inside', async () => {
    // sethostname in a new user+uts namespace needs no capability of the host's: only the filter
    // (it allows sethostname with CAP_SYS_ADMIN alone) refuses it
    const script = 'grep ^Seccomp: /proc/self/status; unshare -U -r -u hostname inner && echo allowed';
    const filtered = await run(script);
    expect(filtered.out).to.contain('Seccomp:\t2');
    expect(filtered.out).to.contain('hostname: sethostname: Operation not permitted');
    expect(filtered.out).to.not.contain('allowed');
    const unconfined = await run(script, { seccomp: 'unconfined' });
    expect(unconfined.out).to.contain('Seccomp:\t0');
    expect(unconfined.out).to.contain('allowed');
  });

  it("applies a spec's own profile instead of the default", async () => {
    const profile: SeccompProfile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] };
    const { out, code } = await run('mkdir /tmp/d', { seccomp: profile });
    expect(code).to.equal(1);
    expect(out).to.contain("mkdir: can't create directory '/tmp/d': Permission denied");
  });

  it('puts the container in its own cgroup namespace and in /berth/<id>, with the pids limit', async () => {
    const id = `iso${++n}`;
    await s.runtime.create(s.spec(id, ['sleep', '1000'], { pidsLimit: 77 }));
    const dir = cgroupDir('pids', id);
    expect((await readFile(`${dir}/pids.max`, 'utf8')).trim()).to.equal('77');
    await s.runtime.start(id);
    const exited = exits.next(id);
    await s.runtime.kill(id, 'KILL');
    await exited;
    await s.runtime.delete(id);
    const inside = await run('cat /proc/self/cgroup');
    expect(inside.out.split('\n').every((l) => l.endsWith(':/')), inside.out).to.equal(true);
  });

  it('stops a fork bomb at a small pids limit, and leaves nothing behind', async () => {
    const id = `iso${++n}`;
    // the bomb in a child, the container's init a sleep: once forks fail the bomb's shells may all
    // end, and an init that tried to fork at the limit would too (the cgroup then empty)
    await s.runtime.create(s.spec(id, ['sh', '-c', 'sh -c "b(){ b|b& }; b" & exec sleep 1000'], { pidsLimit: 20 }));
    const dir = cgroupDir('pids', id);
    await s.runtime.start(id);
    await untilFileMatches(s.runtime.layout.log(id), /can't fork/);
    const current = Number(await readFile(`${dir}/pids.current`, 'utf8'));
    expect(current).to.be.within(1, 20);
    expect(await readFile(`${dir}/pids.events`, 'utf8')).to.match(/^max [1-9]\d*$/m);
    const exited = exits.next(id);
    await s.runtime.kill(id, 'KILL');
    expect((await exited).code).to.equal(137);
    await s.runtime.delete(id);
    // runc removes the cgroup, which the kernel allows only once no process is left in it
    const gone = await access(dir).then(() => false, () => true);
    expect(gone, `${dir} removed`).to.equal(true);
  });
});
