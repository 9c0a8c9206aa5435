/** buildConfig is pure: these run without runc. */
import { expect } from 'chai';
import { buildConfig, DEFAULT_PATH, parseHardLimits, readHardLimits, type RuntimeSpec } from '../../src/oci/index.js';

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
  linux: { namespaces: { type: string }[]; maskedPaths: string[]; readonlyPaths: string[] };
}
const build = (s: RuntimeSpec, nofile: number, nproc: number) => buildConfig(s, { hardLimits: { nofile, nproc } }) as unknown as Config;

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

  it('uses pid, ipc, uts and mount namespaces: no network namespace (host network)', () => {
    const c = build(spec, 1024, 1024);
    expect(c.linux.namespaces.map((n) => n.type)).to.deep.equal(['pid', 'ipc', 'uts', 'mount']);
    expect(c.linux.maskedPaths).to.include('/proc/kcore');
    expect(c.linux.readonlyPaths).to.include('/proc/sys');
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
