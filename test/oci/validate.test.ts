/** checkRootfs and resolveCommand on a hand-made rootfs (links as busybox makes them). */
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { checkRootfs, resolveCommand } from '../../src/oci/index.js';
import { rejection } from './support.js';

describe('oci/validate: rootfs and command checks', () => {
  let dir: string;
  let rootfs: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-oci-validate-'));
    rootfs = join(dir, 'rootfs');
    for (const d of ['bin', 'usr/bin', 'opt/tools', 'app']) await mkdir(join(rootfs, d), { recursive: true });
    await writeFile(join(rootfs, 'bin', 'busybox'), '#!/bin/busybox\n');
    await chmod(join(rootfs, 'bin', 'busybox'), 0o755);
    await symlink('busybox', join(rootfs, 'bin', 'sh')); // relative, as ensureBusyboxRootfs makes them
    await symlink('/bin/busybox', join(rootfs, 'usr', 'bin', 'env')); // absolute: inside the rootfs, not the host
    await symlink('../../../../../bin/busybox', join(rootfs, 'opt', 'tools', 'climb')); // `..` stops at the rootfs
    await symlink('/usr/bin/perl', join(rootfs, 'usr', 'bin', 'perl')); // exists on many hosts, not in the rootfs
    await symlink('loop2', join(rootfs, 'bin', 'loop1'));
    await symlink('loop1', join(rootfs, 'bin', 'loop2'));
    await writeFile(join(rootfs, 'app', 'data.txt'), 'not executable');
    await writeFile(join(rootfs, 'app', 'run'), '#!/bin/sh\n');
    await chmod(join(rootfs, 'app', 'run'), 0o755);
    await writeFile(join(dir, 'plain-file'), '');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts an existing absolute directory', async () => {
    await checkRootfs(rootfs);
  });

  it('refuses a missing, relative or non-directory rootfs with EINVAL', async () => {
    expect((await rejection(checkRootfs('/nonexistent/rootfs'), 'EINVAL')).message).to.equal('rootfs "/nonexistent/rootfs" does not exist');
    expect((await rejection(checkRootfs('rel/rootfs'), 'EINVAL')).message).to.equal('rootfs "rel/rootfs" must be an absolute path');
    const file = join(dir, 'plain-file');
    expect((await rejection(checkRootfs(file), 'EINVAL')).message).to.equal(`rootfs "${file}" is not a directory`);
  });

  it('finds a bare name on the default PATH, through a relative busybox link', async () => {
    expect(await resolveCommand(rootfs, 'sh', [])).to.equal('/bin/sh');
    expect(await resolveCommand(rootfs, 'env', [])).to.equal('/usr/bin/env');
  });

  it('searches the PATH of the environment, not the default, when one is given', async () => {
    expect(await resolveCommand(rootfs, 'climb', ['PATH=/opt/tools'])).to.equal('/opt/tools/climb');
    const e = await rejection(resolveCommand(rootfs, 'sh', ['PATH=/opt/tools']), 'EINVAL');
    expect(e.message).to.equal(`executable "sh" not found in rootfs ${rootfs}`);
  });

  it('checks an absolute command inside the rootfs, following absolute links there', async () => {
    expect(await resolveCommand(rootfs, '/usr/bin/env', [])).to.equal('/usr/bin/env');
    expect(await resolveCommand(rootfs, '/app/run', [])).to.equal('/app/run');
    expect(await resolveCommand(rootfs, './run', [], '/app')).to.equal('/app/run');
  });

  it('refuses what is missing, not executable, a directory, a link out of the rootfs or a loop', async () => {
    for (const argv0 of ['no-such-binary', '/bin/nope', '/app/data.txt', '/app', '/usr/bin/perl', 'perl', '/bin/loop1', '']) {
      const e = await rejection(resolveCommand(rootfs, argv0, []), 'EINVAL');
      expect(e.message).to.equal(`executable "${argv0}" not found in rootfs ${rootfs}`);
    }
  });
});
