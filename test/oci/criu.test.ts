/**
 * The checkpoint's files on the node (oci/criu.ts), without CRIU: runc checkpoint's arguments,
 * the --export archive (checkpoint/ and spec.dump), --keep, and an --import that replaces the
 * checkpoint dir, or is refused with nothing changed.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { conmonArgs } from '../../src/oci/conmon.js';
import { StateLayout } from '../../src/oci/layout.js';
import { afterCheckpoint, afterRestore, beforeRestore, checkpointArgs, hasCheckpoint, NO_CHECKPOINT } from '../../src/oci/criu.js';

describe('oci/criu: the checkpoint dir, --export and --import', () => {
  let dir: string;
  let bundle: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-criu-'));
    bundle = join(dir, 'bundle');
    mkdirSync(join(bundle, 'checkpoint'), { recursive: true });
    writeFileSync(join(bundle, 'checkpoint', 'inventory.img'), 'images');
    writeFileSync(join(bundle, 'config.json'), '{"ociVersion":"1.0.2"}');
    for (const f of ['dump.log', 'stats-dump']) writeFileSync(join(bundle, f), f);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("gives runc checkpoint the seed's arguments: image path, work path, the flags, the id last", () => {
    expect(checkpointArgs('/b', 'c1', {})).to.deep.equal(['--image-path', '/b/checkpoint', '--work-path', '/b', 'c1']);
    expect(checkpointArgs('/b', 'c1', { leaveRunning: true, tcpEstablished: true, keep: true })).to.deep.equal([
      '--image-path', '/b/checkpoint', '--work-path', '/b', '--leave-running', '--tcp-established', 'c1',
    ]);
  });

  it('exports checkpoint/ and spec.dump as a tar; drops CRIU\'s logs unless --keep', async () => {
    const tar = join(dir, 'out.tar');
    await afterCheckpoint(bundle, join(bundle, 'config.json'), { export: tar });
    const names = (await execa('tar', ['-t', '-f', tar])).stdout.split('\n');
    expect(names).to.include.members(['checkpoint/', 'checkpoint/inventory.img', 'spec.dump']);
    expect(existsSync(join(bundle, 'dump.log'))).to.equal(false);
    expect(existsSync(join(bundle, 'stats-dump'))).to.equal(false);
    writeFileSync(join(bundle, 'dump.log'), 'kept');
    await afterCheckpoint(bundle, join(bundle, 'config.json'), { keep: true });
    expect(readFileSync(join(bundle, 'dump.log'), 'utf8')).to.equal('kept');
  });

  it('an --import replaces the checkpoint dir; after the restore it goes unless --keep', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'checkpoint'), { recursive: true });
    writeFileSync(join(src, 'checkpoint', 'inventory.img'), 'imported');
    const tar = join(dir, 'in.tar');
    await execa('tar', ['-c', '-f', tar, '-C', src, 'checkpoint']);
    await beforeRestore(bundle, { import: tar });
    expect(readFileSync(join(bundle, 'checkpoint', 'inventory.img'), 'utf8')).to.equal('imported');
    await afterRestore(bundle, { keep: true });
    expect(await hasCheckpoint(bundle)).to.equal(true);
    await afterRestore(bundle, {});
    expect(await hasCheckpoint(bundle)).to.equal(false);
    const e = await beforeRestore(bundle, {}).then(() => null, (err: Error) => err.message);
    expect(e).to.equal(NO_CHECKPOINT);
  });

  it('a corrupt --import is refused before the checkpoint dir is touched', async () => {
    const bad = join(dir, 'bad.tar');
    writeFileSync(bad, 'garbage'.repeat(100));
    const e = await beforeRestore(bundle, { import: bad }).then(() => null, (err: Error) => err.message);
    expect(e).to.match(/^cannot import checkpoint archive .*bad\.tar: not a readable tar archive: tar: /);
    expect(readFileSync(join(bundle, 'checkpoint', 'inventory.img'), 'utf8')).to.equal('images');
  });

  it("restores under conmon as Podman does: --restore <checkpoint dir>, restore's flags as --runtime-opt", () => {
    const base = { runtime: '/usr/sbin/runc', root: '/r', id: 'c1', run: 2, layout: new StateLayout('/s') };
    const args = conmonArgs({ ...base, restore: '/s/bundles/c1/checkpoint', runtimeOpts: ['--tcp-established'] });
    expect(args.slice(-4)).to.deep.equal(['--restore', '/s/bundles/c1/checkpoint', '--runtime-opt', '--tcp-established']);
    expect(conmonArgs(base)).to.not.include('--restore');
  });
});
