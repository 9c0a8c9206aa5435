/**
 * The image store on real files: Podman's own saves load with Podman's Ids, layers are shared,
 * whiteouts hide lower files in a real overlay mount, and every bad archive is refused with a
 * clear error that leaves no image, no layer and no work dir behind.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, stat, truncate, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { BerthError } from '../../src/errors.js';
import { ImageStore } from '../../src/images/store.js';
import { loadArchive } from '../../src/images/load.js';
import { importRootfs } from '../../src/images/import.js';
import { unpack } from '../../src/images/unpack.js';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import { TEST_ROOTFS } from '../helpers/stack.js';
import { podmanSaves, writeOciArchive, writeTar } from '../helpers/image-fixtures.js';

async function refused(p: Promise<unknown>, pattern: RegExp): Promise<BerthError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected a refusal').to.be.instanceOf(BerthError);
  expect((err as BerthError).message).to.match(pattern);
  return err as BerthError;
}

describe('image store', function () {
  this.timeout(60_000);
  let dir: string;
  let saves: Awaited<ReturnType<typeof podmanSaves>>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-images-'));
    const rootfs = await ensureBusyboxRootfs(TEST_ROOTFS);
    saves = await podmanSaves(rootfs, dir, `localhost/berth-store-test-${process.pid}:v1`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const fresh = (name: string) => new ImageStore(join(dir, name));
  const leftovers = async (s: ImageStore) => ({
    images: await readdir(s.layout.images).catch(() => []),
    layers: await readdir(s.layout.layers).catch(() => []),
    tmp: await readdir(s.layout.tmp).catch(() => []),
  });

  it("loads Podman's oci-archive and docker-archive as the same image, with Podman's Id, its layer unpacked once", async () => {
    const s = fresh('both');
    const lines: string[] = [];
    const [a] = await loadArchive(s, saves.oci, (l) => lines.push(l));
    const [b] = await loadArchive(s, saves.docker);
    expect(a!.id).to.equal(saves.id);
    expect(b!.id).to.equal(saves.id);
    expect(a!.names).to.deep.equal([`localhost/berth-store-test-${process.pid}:v1`]);
    expect(a!.digest).to.match(/^sha256:[a-f0-9]{64}$/);
    expect(lines.some((l) => l.startsWith('Copying blob'))).to.equal(true);
    expect((await s.list()).map((r) => r.id)).to.deep.equal([saves.id]);
    expect(await readdir(s.layout.layers)).to.have.length(1);
    expect((await stat(join(a!.layers[0]!, 'bin', 'busybox'))).isFile()).to.equal(true);
    expect(a!.size).to.be.greaterThan(1_000_000);
  });

  it('imports a rootfs tarball as localhost/NAME:TAG, finds it by name, short name and short Id, tags and removes it', async () => {
    const s = fresh('import');
    const rec = await importRootfs(s, saves.rootfsTar, 'box:v2');
    expect(rec.names).to.deep.equal(['localhost/box:v2']);
    expect(rec.config.Env?.[0]).to.match(/^PATH=/);
    expect((await s.find('box:v2'))?.id).to.equal(rec.id);
    expect((await s.find('localhost/box:v2'))?.id).to.equal(rec.id);
    expect((await s.find(rec.id.slice(0, 12)))?.id).to.equal(rec.id);
    expect(await s.find('box')).to.equal(null); // box:latest does not exist
    const tagged = await s.tag('box:v2', 'other');
    expect(tagged.names).to.deep.equal(['localhost/box:v2', 'localhost/other:latest']);
    const inUse = await refused(s.remove('other', { force: false, usedBy: async () => ['web'] }), /image used by web: image is in use by a container/);
    expect(inUse.code).to.equal('EIMAGEUSED');
    expect(await s.find('other')).to.not.equal(null);
    await s.remove('other', { force: true, usedBy: async () => ['web'] });
    expect(await leftovers(s)).to.deep.equal({ images: [], layers: [], tmp: [] });
    expect((await refused(s.remove('other', { force: false, usedBy: async () => [] }), /other: image not known/)).code).to.equal('ENOIMAGE');
  });

  it('turns whiteouts and opaque dirs into overlay form: a real overlay mount hides the lower files', async () => {
    const lower = join(dir, 'wh-lower');
    const upper = join(dir, 'wh-upper');
    await unpack(await writeTar(join(dir, 'l1.tar'), [
      { name: 'a/', type: 'dir' }, { name: 'a/gone', type: 'file', data: 'x' }, { name: 'a/kept', type: 'file', data: 'y' },
      { name: 'd/', type: 'dir' }, { name: 'd/old', type: 'file', data: 'z' },
    ]), lower, { what: 'l1', layer: true });
    await unpack(await writeTar(join(dir, 'l2.tar'), [
      { name: 'a/.wh.gone', type: 'file' }, { name: 'd/.wh..wh..opq', type: 'file' }, { name: 'd/new', type: 'file', data: 'n' },
    ]), upper, { what: 'l2', layer: true });
    const wh = await execa('stat', ['-c', '%F %t:%T %u:%g', join(upper, 'a', 'gone')]);
    expect(wh.stdout).to.equal('character special file 0:0 0:0');
    expect((await execa('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', join(upper, 'd')])).stdout).to.equal('y');
    const merged = join(dir, 'wh-merged');
    await execa('mkdir', ['-p', merged]);
    await execa('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${upper}:${lower}`, merged]);
    try {
      expect((await readdir(join(merged, 'a'))).sort()).to.deep.equal(['kept']);
      expect(await readdir(join(merged, 'd'))).to.deep.equal(['new']);
    } finally {
      await execa('umount', [merged]);
    }
  });

  it('keeps absolute symlink targets as they are (rooted in the container), and refuses a write through a symlink', async () => {
    const out = join(dir, 'abs-link');
    await unpack(await writeTar(join(dir, 'abs.tar'), [{ name: 'bin/', type: 'dir' }, { name: 'bin/sh', type: 'symlink', target: '/bin/busybox' }]), out, { what: 'abs', layer: true });
    expect((await execa('readlink', [join(out, 'bin', 'sh')])).stdout).to.equal('/bin/busybox');
    const through = await writeTar(join(dir, 'through.tar'), [{ name: 'd/', type: 'dir' }, { name: 'l', type: 'symlink', target: 'd' }, { name: 'l/x', type: 'file', data: 'x' }]);
    await refused(unpack(through, join(dir, 'through'), { what: 'through', layer: true }), /through: refused tar entry "?l\/x"?: path goes through symlink "l"/);
  });

  describe('bad input: a clear error, nothing half-written', () => {
    const cases: [string, () => Promise<string>, RegExp][] = [
      ['a truncated archive', async () => {
        const f = join(dir, 'trunc.tar');
        await copyFile(saves.oci, f);
        await truncate(f, Math.floor((await stat(f)).size / 2));
        return f;
      }, /corrupt or truncated tar|missing from the archive/],
      ['a file that is no archive', async () => writeTar(join(dir, 'notar.tar'), [{ name: 'readme', type: 'file', data: 'hi' }]), /neither an OCI archive \(index.json\) nor a docker-archive/],
      ['a layer whose digest does not match', async () => writeOciArchive(join(dir, 'corrupt.tar'), [saves.rootfsTar], { corruptLayer: true }), /digest mismatch/],
      ['an unknown media type', async () => writeOciArchive(join(dir, 'media.tar'), [saves.rootfsTar], { layerType: 'application/vnd.example.weird' }), /unsupported media type "?application\/vnd.example.weird/],
      ['a manifest list without linux\/amd64', async () => writeOciArchive(join(dir, 'arm.tar'), [saves.rootfsTar], { platforms: [{ os: 'linux', architecture: 'arm64' }] }), /no image found in manifest list for architecture amd64.*has linux\/arm64/],
      ['a ../ entry', async () => layerWith('dotdot', [{ name: '../evil', type: 'file', data: 'x' }]), /refused tar entry "?\.\.\/evil"?: path contains '\.\.'/],
      ['an absolute path', async () => layerWith('abs', [{ name: '/etc/evil', type: 'file', data: 'x' }]), /refused tar entry "?\/etc\/evil"?: absolute path/],
      ['a symlink pointing outside', async () => layerWith('sym', [{ name: 'a/', type: 'dir' }, { name: 'a/out', type: 'symlink', target: '../../etc' }]), /symlink to "?\.\.\/\.\.\/etc"? points outside/],
      ['a hard link pointing outside', async () => layerWith('hard', [{ name: 'x', type: 'link', target: '../etc/shadow' }]), /hard link to "?\.\.\/etc\/shadow"? points outside/],
      ['a device node', async () => layerWith('dev', [{ name: 'dev/', type: 'dir' }, { name: 'dev/sda', type: 'char' }]), /refused tar entry "?dev\/sda"?: device node/],
    ];
    async function layerWith(name: string, entries: Parameters<typeof writeTar>[1]): Promise<string> {
      const layer = await writeTar(join(dir, `${name}-layer.tar`), [{ name: 'ok', type: 'file', data: 'fine' }, ...entries]);
      return writeOciArchive(join(dir, `${name}.tar`), [layer]);
    }
    for (const [what, make, pattern] of cases) {
      it(`refuses ${what}`, async () => {
        const s = fresh(`bad-${what.replace(/\W+/g, '-')}`);
        await loadArchive(s, saves.oci); // an image already there stays as it was
        const before = await leftovers(s);
        const e = await refused(loadArchive(s, await make()), pattern);
        expect(e.code).to.equal('EINVAL');
        expect(await leftovers(s)).to.deep.equal(before);
        expect((await s.list()).map((r) => r.id)).to.deep.equal([saves.id]);
      });
    }
    it('refuses an escaping entry in an imported rootfs tarball too', async () => {
      const s = fresh('bad-import');
      const tar = await writeTar(join(dir, 'imp-bad.tar'), [{ name: 'ok', type: 'file', data: 'x' }, { name: '../../x', type: 'file', data: 'x' }]);
      await refused(importRootfs(s, tar, 'bad'), /path contains '\.\.'/);
      expect(await leftovers(s)).to.deep.equal({ images: [], layers: [], tmp: [] });
    });
  });
});
