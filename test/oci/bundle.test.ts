/** buildConfig is pure: these run without runc. */
import { expect } from 'chai';
import { buildConfig, DEFAULT_PATH, parseHardLimits, readHardLimits, type RuntimeSpec, type SeccompProfile } from '../../src/oci/index.js';

const spec: RuntimeSpec = {
  id: 'b1',
  rootfs: '/srv/rootfs',
  command: ['sh', '-c', 'echo hi'],
  env: ['FOO=bar'],
  workdir: '/tmp',
  hostname: 'box',
  stopSignal: 'SIGTERM',
  run: 1,
};

interface Config {
  ociVersion: string;
  process: { terminal: boolean; args: string[]; env: string[]; cwd: string; noNewPrivileges: boolean; rlimits: { type: string; hard: number; soft: number }[]; capabilities: Record<string, string[]> };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: { destination: string; type: string }[];
  linux: {
    namespaces: { type: string }[];
    maskedPaths: string[];
    readonlyPaths: string[];
    cgroupsPath: string;
    resources: { pids?: { limit: number } };
    seccomp?: { defaultAction: string; architectures?: string[]; syscalls: { names: string[]; action: string }[] };
  };
}
/** The node's default profile, in small. */
const DEFAULT_PROFILE: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }],
  syscalls: [
    { names: ['read'], action: 'SCMP_ACT_ALLOW' },
    { names: ['setns'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
  ],
};
const build = (s: RuntimeSpec, nofile: number, nproc: number) =>
  buildConfig(s, { hardLimits: { nofile, nproc }, seccompProfile: DEFAULT_PROFILE, arch: 'amd64' }) as unknown as Config;

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max processes             96365                96365                processes
Max open files            1024                 20000                files
`;

describe('oci/bundle: buildConfig', () => {
  it('caps rlimits at the hard limits, and keeps Podman\'s defaults below them', () => {
    expect(build(spec, 20_000, 96_365).process.rlimits).to.deep.equal([
      { type: 'RLIMIT_NOFILE', hard: 20_000, soft: 20_000 },
      { type: 'RLIMIT_NPROC', hard: 32_768, soft: 32_768 },
    ]);
    expect(build(spec, Number.MAX_SAFE_INTEGER, 4096).process.rlimits).to.deep.equal([
      { type: 'RLIMIT_NOFILE', hard: 1_048_576, soft: 1_048_576 },
      { type: 'RLIMIT_NPROC', hard: 4096, soft: 4096 },
    ]);
  });

  it('parses the hard limits from /proc/<pid>/limits', async () => {
    expect(parseHardLimits(LIMITS)).to.deep.equal({ nofile: 20_000, nproc: 96_365 });
    expect(parseHardLimits(LIMITS.replace('96365                processes', 'unlimited            processes')).nproc).to.equal(Number.MAX_SAFE_INTEGER);
    const own = await readHardLimits();
    expect(own.nofile).to.be.greaterThan(0);
    expect(() => parseHardLimits('nothing here')).to.throw('Max open files');
  });

  it('adds PATH, HOSTNAME and TERM only when absent', () => {
    expect(build(spec, 1024, 1024).process.env).to.deep.equal([`PATH=${DEFAULT_PATH}`, 'FOO=bar', 'HOSTNAME=box', 'TERM=xterm']);
    const own = build({ ...spec, env: ['PATH=/bin', 'TERM=dumb', 'HOSTNAME=h'] }, 1024, 1024);
    expect(own.process.env).to.deep.equal(['PATH=/bin', 'TERM=dumb', 'HOSTNAME=h']);
  });

  it('runs the command in a read-only rootfs with a tmpfs /tmp, no terminal, no new privileges', () => {
    const c = build(spec, 1024, 1024);
    expect(c.ociVersion).to.equal('1.0.2');
    expect(c.process).to.include({ terminal: false, cwd: '/tmp', noNewPrivileges: true });
    expect(c.process.args).to.deep.equal(['sh', '-c', 'echo hi']);
    expect(c.root).to.deep.equal({ path: '/srv/rootfs', readonly: true });
    expect(c.hostname).to.equal('box');
    expect(c.mounts.map((m) => `${m.destination}:${m.type}`)).to.deep.equal([
      '/proc:proc', '/dev:tmpfs', '/dev/pts:devpts', '/dev/shm:tmpfs', '/dev/mqueue:mqueue', '/sys:sysfs', '/tmp:tmpfs',
    ]);
    expect(c.process.capabilities['bounding']).to.include('CAP_KILL').and.not.include('CAP_SYS_ADMIN');
    expect(c.process.capabilities['effective']).to.have.length(11);
  });

  it('gives the process a terminal only for a tty spec (-t)', () => {
    expect(build({ ...spec, tty: true }, 1024, 1024).process.terminal).to.equal(true);
    expect(build({ ...spec, tty: false, stdin: true }, 1024, 1024).process.terminal).to.equal(false);
  });

  it('uses pid, network, ipc, uts, mount and cgroup namespaces; the host network only when asked', () => {
    const c = build(spec, 1024, 1024);
    expect(c.linux.namespaces.map((n) => n.type)).to.deep.equal(['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup']);
    expect(c.linux.namespaces.every((n) => !('path' in n)), 'new namespaces, none joined').to.equal(true);
    expect(build({ ...spec, network: 'none' }, 1024, 1024).linux.namespaces).to.deep.equal(c.linux.namespaces);
    expect(build({ ...spec, network: 'host' }, 1024, 1024).linux.namespaces.map((n) => n.type)).to.deep.equal(['pid', 'ipc', 'uts', 'mount', 'cgroup']);
    expect(c.linux.maskedPaths).to.include('/proc/kcore');
    expect(c.linux.readonlyPaths).to.include('/proc/sys');
  });

  it("puts the container in a cgroup of its own with Podman's pids limit, or the spec's, or none", () => {
    const c = build(spec, 1024, 1024);
    expect(c.linux.cgroupsPath).to.equal('/berth/b1');
    expect(c.linux.resources.pids).to.deep.equal({ limit: 2048 });
    expect(build({ ...spec, pidsLimit: 10 }, 1024, 1024).linux.resources.pids).to.deep.equal({ limit: 10 });
    expect(build({ ...spec, pidsLimit: 0 }, 1024, 1024).linux.resources).to.not.have.property('pids');
  });

  it("applies the node's default seccomp profile for the container's capabilities, a spec's own, or none", () => {
    expect(build(spec, 1024, 1024).linux.seccomp).to.deep.equal({
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
      syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }], // no CAP_SYS_ADMIN: no setns
    });
    const own: SeccompProfile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] };
    expect(build({ ...spec, seccomp: own }, 1024, 1024).linux.seccomp).to.deep.equal({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    });
    expect(build({ ...spec, seccomp: 'unconfined' }, 1024, 1024).linux).to.not.have.property('seccomp');
    expect(() => buildConfig(spec, { hardLimits: { nofile: 1, nproc: 1 }, seccompProfile: undefined, arch: 'amd64' })).to.throw('no default seccomp profile was loaded for container b1');
  });

  it('does not share arrays between configs', () => {
    const a = build(spec, 1024, 1024);
    a.mounts.pop();
    a.linux.maskedPaths.pop();
    const b = build(spec, 1024, 1024);
    expect(b.mounts).to.have.length(7);
    expect(b.linux.maskedPaths).to.include('/proc/scsi');
  });
});
