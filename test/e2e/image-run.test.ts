/**
 * The whole way from what people ship to a running container, on real runc through the queue
 * (issue 11): an image Podman saved is loaded into the node's real image store (an image job),
 * a container is created from it by name and started on its own overlay, runc reports it
 * running from the merged dir, the image cannot be removed while the container uses it, and can
 * once the container is gone. Its export, imported as an image, runs with what it wrote.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { BerthError } from '../../src/errors.js';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import { podmanSaves } from '../helpers/image-fixtures.js';
import { startStack, TEST_ROOTFS, type Stack } from '../helpers/stack.js';

const RUNC = '/usr/sbin/runc';

describe('e2e: an image Podman saved, loaded into the node and run', function () {
  this.timeout(60_000);
  let s: Stack;
  let dir = '';
  let saves: Awaited<ReturnType<typeof podmanSaves>>;
  const name = `localhost/berth-image-run-${process.pid}:v1`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-image-run-'));
    saves = await podmanSaves(await ensureBusyboxRootfs(TEST_ROOTFS), dir, name);
    s = await startStack('image-run');
  });
  after(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads it, runs a container from it on an overlay runc reports running, exports it as an image that runs, and refuses image rm while it is used', async () => {
    const loaded = await s.client.images.load(saves.oci, { node: s.node });
    expect(loaded.map((i) => [i.node, i.id])).to.deep.equal([[s.node, saves.id]]);

    await s.client.create({ name: 'from-image', image: name, command: ['sh', '-c', 'echo written > /probe; cat /probe; exec sleep 60'] });
    const running = await s.client.start('from-image');
    expect(running.State.Status).to.equal('running');
    expect(running.Image).to.equal(saves.id);
    expect(running.ImageName).to.equal(name);

    // runc itself: running, with the container's own merged dir as its root
    expect(await s.runc(running.Id)).to.deep.include({ status: 'running' });
    const state = JSON.parse((await execa(RUNC, ['--root', s.root, 'state', running.Id])).stdout) as { rootfs: string };
    expect(state.rootfs).to.equal(join(s.stateDir, 'storage', running.Id, 'merged'));
    const lines: string[] = [];
    for await (const l of s.client.logs('from-image', { follow: false })) lines.push(l.text);
    expect(lines).to.include('written');

    const inUse = await s.client.images.remove(name, { node: s.node }).catch((e: unknown) => e);
    expect(inUse).to.be.instanceOf(BerthError);
    expect((inUse as BerthError).code).to.equal('EIMAGEUSED');
    expect((await s.client.images.list({ node: s.node })).map((i) => i.id)).to.include(saves.id);

    // its root filesystem exported (streamed from the node), imported as an image: it runs, with the file
    const tar = join(dir, 'exported.tar');
    await pipeline(await s.client.storage.export('from-image'), createWriteStream(tar));
    const exported = `localhost/berth-exported-${process.pid}:v1`;
    await s.client.images.import(tar, exported, { node: s.node });
    await s.client.create({ name: 'from-export', image: exported, command: ['cat', '/probe'] });
    const waiting = s.client.wait('from-export');
    await s.client.start('from-export');
    expect(await waiting).to.equal(0);
    const again: string[] = [];
    for await (const l of s.client.logs('from-export', { follow: false })) again.push(l.text);
    expect(again).to.deep.equal(['written']);
    await s.client.remove('from-export', { force: true, timeout: 0 });

    await s.client.remove('from-image', { force: true, timeout: 0 });
    expect(await s.runc(running.Id)).to.equal(null);
    const removed = await s.client.images.remove(name, { node: s.node });
    expect(removed.map((i) => i.id)).to.deep.equal([saves.id]);
    expect((await s.client.images.list({ node: s.node })).map((i) => i.id)).to.not.include(saves.id);
  });
});
