/**
 * A spec from an image (storage/image-spec.ts), pure: Podman's entrypoint/cmd rules, env merged
 * by name, the image's defaults under the create's flags, and the bundle it makes (read-only or
 * not, the user's ids).
 */
import { expect } from 'chai';
import { BerthError } from '../../src/errors.js';
import type { ImageRecord } from '../../src/images/types.js';
import { buildConfig } from '../../src/oci/bundle.js';
import { imageCommand, imageName, mergeEnv, specFromImage } from '../../src/storage/image-spec.js';
import { validateSpec } from '../../src/spec.js';

const image: ImageRecord = {
  id: 'b'.repeat(64),
  names: ['docker.io/library/app:1', 'localhost/app:latest'],
  layers: ['/l/base', '/l/top'],
  config: { Entrypoint: ['/entry'], Cmd: ['--serve'], Env: ['PATH=/bin', 'A=1'], WorkingDir: '/app', User: 'app', StopSignal: 'QUIT', Labels: { a: 'image' } },
  size: 1,
  created: '1970-01-01T00:00:00.000Z',
};

describe('storage: a spec from an image', () => {
  it("follows Podman's entrypoint and cmd rules", () => {
    expect(imageCommand({}, image)).to.deep.equal(['/entry', '--serve']);
    expect(imageCommand({ command: ['x'] }, image)).to.deep.equal(['/entry', 'x']);
    expect(imageCommand({ entrypoint: ['/other'] }, image), '--entrypoint drops the Cmd').to.deep.equal(['/other']);
    expect(imageCommand({ entrypoint: [''], command: ['sh'] }, image), '"" is no entrypoint').to.deep.equal(['sh']);
    expect(() => imageCommand({ entrypoint: [''] }, { config: {} })).to.throw(BerthError, 'no command or entrypoint provided, and no CMD or ENTRYPOINT from image');
  });

  it('merges env by name, keeping the order', () => {
    expect(mergeEnv(['PATH=/bin', 'A=1'], ['A=2', 'B=3'])).to.deep.equal(['PATH=/bin', 'A=2', 'B=3']);
  });

  it('names the image as the reference matched it', () => {
    expect(imageName('localhost/app', image)).to.equal('localhost/app:latest');
    expect(imageName('app:1', image)).to.equal('docker.io/library/app:1');
    expect(imageName('bbbb', image)).to.equal('docker.io/library/app:1');
  });

  it("applies the image's config under the flags and records image, layers and the merged root", () => {
    const spec = specFromImage(validateSpec({ image: 'localhost/app', name: 'x', env: ['A=9'], labels: { b: 'flag' } }), 'localhost/app', image, 'fallback', '/s/id/merged');
    expect(spec).to.deep.include({ name: 'x', rootfs: '/s/id/merged', command: ['/entry', '--serve'], workdir: '/app', stopSignal: 'SIGQUIT', user: 'app', readOnly: false });
    expect(spec.env).to.deep.equal(['PATH=/bin', 'A=9']);
    expect(spec.labels).to.deep.equal({ a: 'image', b: 'flag' });
    expect(spec.image).to.deep.equal({ id: image.id, name: 'localhost/app:latest' });
    expect(spec.layers).to.deep.equal(['/l/base', '/l/top']);
    const flags = specFromImage(validateSpec({ image: 'app:1', workdir: '/w', user: '0', stopSignal: 'TERM', readOnly: true }), 'app:1', image, 'f', '/m');
    expect(flags).to.deep.include({ workdir: '/w', user: '0', stopSignal: 'SIGTERM', readOnly: true });
  });

  it('bundles a writable root without a tmpfs /tmp, a read-only one with it, and the resolved user', () => {
    const base = { id: 'c', rootfs: '/m', command: ['sh'], env: [], workdir: '/', hostname: 'h', stopSignal: 'SIGTERM', run: 1, seccomp: 'unconfined' as const };
    const o = { hardLimits: { nofile: 1024, nproc: 1024 }, seccompProfile: undefined, arch: 'SCMP_ARCH_X86_64' };
    const writable = buildConfig({ ...base, readOnly: false }, { ...o, user: { uid: 1000, gid: 100, additionalGids: [10] } }) as { root: { readonly: boolean }; mounts: { destination: string }[]; process: { user: unknown } };
    expect(writable.root.readonly).to.equal(false);
    expect(writable.mounts.map((m) => m.destination)).to.not.include('/tmp');
    expect(writable.process.user).to.deep.equal({ uid: 1000, gid: 100, additionalGids: [10] });
    const ro = buildConfig({ ...base, readOnly: true }, o) as typeof writable;
    expect(ro.root.readonly).to.equal(true);
    expect(ro.mounts.map((m) => m.destination)).to.include('/tmp');
    expect(ro.process.user).to.deep.equal({ uid: 0, gid: 0 });
  });
});
