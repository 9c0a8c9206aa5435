/**
 * The ociMount, ociUnmount and ociDelete runtime calls (actors/calls.ts) as `berth mount` and
 * `unmount` use them: an image container's overlay mounted and unmounted through the runtime, a
 * --rootfs container's root left alone, the cleanup's delete keeping the overlay when the machine
 * counts a mount, and interrupted calls settled by running them again. Over the FakeRuntime.
 */
import { expect } from 'chai';
import { CALL_TABLE, settleCall } from '../../src/actors/calls.js';
import { FakeRuntime } from '../../src/oci/index.js';
import type { ContainerRecord } from '../../src/store/records.js';

const LAYERS = ['/layers/a', '/layers/b'];
const image = { id: 'img', name: 'web', spec: { layers: LAYERS, rootfs: '/s/img/merged' } } as unknown as ContainerRecord;
const tree = { id: 'tree', name: 'plain', spec: { rootfs: '/srv/rootfs' } } as unknown as ContainerRecord;
const call = (fake: FakeRuntime, name: 'ociMount' | 'ociUnmount' | 'ociDelete', record: ContainerRecord, input: Record<string, unknown> = {}) =>
  CALL_TABLE[name].run({ runtime: fake, record, input, signal: new AbortController().signal });

describe('actors/calls: ociMount, ociUnmount and the cleanup that keeps a counted mount', () => {
  it("mounts and unmounts an image container's overlay, its layers lowest first; a --rootfs one is left alone", async () => {
    const fake = new FakeRuntime();
    await call(fake, 'ociMount', image);
    expect(fake.mounted.has('img')).to.equal(true);
    expect(fake.calls.filter((c) => c.verb === 'mount')).to.deep.equal([{ verb: 'mount', id: 'img', args: [LAYERS] }]);
    await call(fake, 'ociUnmount', image);
    expect(fake.mounted.has('img')).to.equal(false);
    await call(fake, 'ociMount', tree);
    await call(fake, 'ociUnmount', tree);
    expect(fake.calls.filter((c) => c.id === 'tree'), 'nothing to mount for a --rootfs container').to.deep.equal([]);
  });

  it('ociDelete keeps the overlay when the machine counts a mount (keepStorage), releases it otherwise', async () => {
    const fake = new FakeRuntime();
    await call(fake, 'ociMount', image);
    await call(fake, 'ociDelete', image, { force: true, keepStorage: true });
    expect(fake.mounted.has('img')).to.equal(true);
    await call(fake, 'ociDelete', image, { force: true, keepStorage: false });
    expect(fake.mounted.has('img')).to.equal(false);
  });

  it('a failed mount is the runtime\'s error; interrupted mounts and unmounts are run again (idempotent)', async () => {
    const fake = new FakeRuntime();
    fake.failNext('mount', 'mounting the storage failed');
    const err = await call(fake, 'ociMount', image).then(() => null, (e: Error) => e.message);
    expect(err).to.equal('mounting the storage failed');
    for (const observed of [null, { id: 'img', status: 'running' as const, pid: 7 }]) {
      expect(settleCall('ociMount', observed)).to.deep.equal({ kind: 'rerun' });
      expect(settleCall('ociUnmount', observed)).to.deep.equal({ kind: 'rerun' });
    }
  });
});
