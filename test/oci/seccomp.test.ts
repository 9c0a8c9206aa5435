/**
 * Seccomp profiles converted as Podman converts them (containers/common setupSeccomp), on a
 * hand-made profile and on the containers-common profile this host ships.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DEFAULT_CAPABILITIES, DEFAULT_SECCOMP_PROFILE, loadSeccompProfile, nativeArch, parseSeccompProfile, toOciSeccomp, type SeccompProfile } from '../../src/oci/index.js';
import { rejection } from './support.js';

const PROFILE: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrno: 'ENOSYS',
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
    { names: ['swapon'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['sync_file_range2'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm64'] } },
    { names: ['setns'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['setns'], action: 'SCMP_ACT_ERRNO', errno: 'EPERM', excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['chroot'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_CHROOT'] } },
    { name: 'personality', action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
    { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', excludes: { arches: ['amd64'] } },
  ],
};

describe('oci/seccomp: profiles as linux.seccomp', () => {
  it('keeps the rules the architecture and the capabilities allow, as Podman does', () => {
    const oci = toOciSeccomp(PROFILE, { arch: 'amd64', capabilities: DEFAULT_CAPABILITIES });
    expect(oci).to.deep.equal({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 38,
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      syscalls: [
        { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
        { names: ['swapon'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
        { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW' },
        { names: ['setns'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
        { names: ['chroot'], action: 'SCMP_ACT_ALLOW' },
        { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
      ],
    });
  });

  it('follows the capabilities: with CAP_SYS_ADMIN setns is allowed, without CAP_SYS_CHROOT chroot is not', () => {
    const names = (caps: string[]) => toOciSeccomp(PROFILE, { arch: 'arm64', capabilities: caps }).syscalls.map((s) => `${s.names.join(',')}:${s.action}`);
    expect(names(['CAP_SYS_ADMIN'])).to.deep.equal([
      'read,write:SCMP_ACT_ALLOW',
      'swapon:SCMP_ACT_ERRNO',
      'sync_file_range2:SCMP_ACT_ALLOW',
      'setns:SCMP_ACT_ALLOW',
      'personality:SCMP_ACT_ALLOW',
      'ptrace:SCMP_ACT_ALLOW',
    ]);
    expect(toOciSeccomp(PROFILE, { arch: 'arm64', capabilities: [] }).architectures).to.deep.equal(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  });

  it('leaves architectures to libseccomp when the profile maps none for the node', () => {
    expect(toOciSeccomp(PROFILE, { arch: 'riscv64', capabilities: [] })).to.not.have.property('architectures');
    expect(toOciSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'] }, { arch: 'amd64', capabilities: [] })).to.deep.equal({
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [],
    });
  });

  it('names the architecture as libseccomp does', () => {
    expect(nativeArch('x64')).to.equal('amd64');
    expect(nativeArch('arm64')).to.equal('arm64');
  });

  it("converts this host's containers-common profile: ENOSYS by default, swapon and (without CAP_SYS_ADMIN) sethostname denied", async () => {
    const oci = toOciSeccomp(await loadSeccompProfile(DEFAULT_SECCOMP_PROFILE), { arch: nativeArch(), capabilities: DEFAULT_CAPABILITIES });
    expect(oci).to.include({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38 });
    const rule = (name: string) => oci.syscalls.find((s) => s.names.includes(name));
    expect(rule('read')?.action).to.equal('SCMP_ACT_ALLOW');
    expect(rule('swapon')).to.include({ action: 'SCMP_ACT_ERRNO', errnoRet: 1 });
    expect(rule('sethostname')).to.include({ action: 'SCMP_ACT_ERRNO', errnoRet: 1 });
    expect(oci.syscalls.filter((s) => s.names.includes('sethostname'))).to.have.length(1);
  });

  it('refuses a profile that is not JSON, or not a profile, naming the source', async () => {
    expect(() => parseSeccompProfile('{', 'my.json')).to.throw(/^seccomp profile my\.json is not JSON: /);
    expect(() => parseSeccompProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"action":"SCMP_ACT_ALLOW"}]}', 'my.json')).to.throw(
      "seccomp profile my.json is invalid: syscalls.0: a syscall rule has either 'name' or 'names'",
    );
    expect(() => parseSeccompProfile('{"defaultAction":"SCMP_ACT_ERRNO","defaultErrno":"ENOPE"}', 'my.json')).to.throw(
      'seccomp profile my.json is invalid: defaultErrno: unknown errno name',
    );
    const dir = await mkdtemp(join(tmpdir(), 'berth-seccomp-'));
    try {
      await writeFile(join(dir, 'p.json'), '{"defaultAction":"SCMP_ACT_LOG"}');
      expect(await loadSeccompProfile(join(dir, 'p.json'))).to.deep.equal({ defaultAction: 'SCMP_ACT_LOG' });
      const missing = await rejection(loadSeccompProfile(join(dir, 'none.json')), 'ENORUNTIME');
      expect(missing.message).to.equal(`cannot read the seccomp profile ${join(dir, 'none.json')} (ENOENT)`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
