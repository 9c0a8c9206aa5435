/** ensureBusyboxRootfs builds a usable tree once, even when called concurrently. */
import { lstat, mkdtemp, readFile, readlink, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ensureBusyboxRootfs, resolveCommand } from '../../src/oci/index.js';
import { rejection } from './support.js';

describe('oci/rootfs: ensureBusyboxRootfs', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-oci-rootfs-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds busybox, a link per applet, passwd/group and the mount points, idempotently', async () => {
    const rootfs = join(dir, 'rootfs');
    const [a, b] = await Promise.all([ensureBusyboxRootfs(rootfs), ensureBusyboxRootfs(rootfs)]);
    expect(a).to.equal(rootfs);
    expect(b).to.equal(rootfs);
    expect(await readlink(join(rootfs, 'bin', 'sh'))).to.equal('busybox');
    expect((await lstat(join(rootfs, 'bin', 'busybox'))).mode & 0o777).to.equal(0o755);
    expect((await lstat(join(rootfs, 'tmp'))).mode & 0o7777).to.equal(0o1777);
    expect((await lstat(rootfs)).mode & 0o777).to.equal(0o755);
    expect(await readFile(join(rootfs, 'etc', 'passwd'), 'utf8')).to.match(/^root:x:0:0:/);
    expect(await resolveCommand(rootfs, 'sleep', [])).to.equal('/bin/sleep');
    const top = await readdir(rootfs);
    for (const d of ['bin', 'etc', 'tmp', 'proc', 'dev', 'sys']) expect(top).to.include(d);
    expect(top.filter((n) => n.includes('.tmp-'))).to.deep.equal([]);
    expect((await readdir(dir)).filter((n) => n.includes('.tmp-'))).to.deep.equal([]);
    expect(await ensureBusyboxRootfs(rootfs)).to.equal(rootfs);
  });

  it('fails with ENORUNTIME naming a missing busybox', async () => {
    const e = await rejection(ensureBusyboxRootfs(join(dir, 'other'), '/nonexistent/busybox'), 'ENORUNTIME');
    expect(e.message).to.equal('/nonexistent/busybox is missing: apt-get install busybox-static');
  });
});
