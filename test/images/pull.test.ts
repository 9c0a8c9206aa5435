/**
 * Pulls from a real registry (Debian's docker-registry on loopback, images pushed with skopeo
 * from archives Podman saved): anonymous and basic auth, manifest lists, and the refusals
 * (401, a list without linux/amd64, a registry that is down), none of which leaves anything.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BerthError } from '../../src/errors.js';
import { ImageStore } from '../../src/images/store.js';
import { pullImage } from '../../src/images/registry.js';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import { TEST_ROOTFS } from '../helpers/stack.js';
import { podmanSaves } from '../helpers/image-fixtures.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

async function failure(p: Promise<unknown>): Promise<BerthError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e, 'expected a refusal').to.be.instanceOf(BerthError);
  return e as BerthError;
}

describe('image pull from a registry', function () {
  this.timeout(60_000);
  let dir: string;
  let open: TestRegistry;
  let locked: TestRegistry;
  let id: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-pull-'));
    const saves = await podmanSaves(await ensureBusyboxRootfs(TEST_ROOTFS), dir, `localhost/berth-pull-test-${process.pid}:v1`);
    id = saves.id;
    open = await startRegistry();
    locked = await startRegistry({ user: 'berth', pass: 's3cret' });
    await open.push(saves.oci, 'berth/box:v1');
    await open.push(saves.docker, 'berth/box:docker', 'docker-archive');
    await locked.push(saves.oci, 'berth/box:v1');
    // a manifest list with only an arm64 entry (pointing at the amd64 manifest: the registry checks it exists)
    const m = await fetch(`http://${open.host}/v2/berth/box/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    const digest = m.headers.get('docker-content-digest') ?? '';
    const size = (await m.arrayBuffer()).byteLength;
    const list = (arch: string) => JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size, platform: { os: 'linux', architecture: arch } }] });
    for (const [tag, arch] of [['arm', 'arm64'], ['multi', 'amd64']] as const) {
      const put = await fetch(`http://${open.host}/v2/berth/box/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' }, body: list(arch) });
      expect(put.status, await put.text()).to.equal(201);
    }
  });
  after(async () => {
    await open?.stop();
    await locked?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const fresh = (name: string) => new ImageStore(join(dir, name));
  const empty = async (s: ImageStore) => {
    expect(await s.list()).to.deep.equal([]);
    expect(await readdir(s.layout.layers).catch(() => [])).to.deep.equal([]);
    expect(await readdir(s.layout.tmp).catch(() => [])).to.deep.equal([]);
  };

  it("pulls anonymously over http (--tls-verify=false) with Podman's Id, and reports progress as Podman", async () => {
    const s = fresh('anon');
    const lines: string[] = [];
    const rec = await pullImage(s, `${open.host}/berth/box:v1`, { tlsVerify: false, progress: (l) => lines.push(l) });
    expect(rec.id).to.equal(id);
    expect(rec.names).to.deep.equal([`${open.host}/berth/box:v1`]);
    expect(lines[0]).to.equal(`Trying to pull ${open.host}/berth/box:v1...`);
    expect(lines).to.include('Getting image source signatures');
    expect(lines.filter((l) => /^Copying blob [a-f0-9]{12} done$/.test(l))).to.have.length(1);
    expect(lines.at(-1)).to.equal('Writing manifest to image destination');
    const again = await pullImage(s, `${open.host}/berth/box:docker`, { tlsVerify: false });
    expect(again.id).to.equal(id);
    expect((await s.get(id)).names).to.have.members([`${open.host}/berth/box:v1`, `${open.host}/berth/box:docker`]);
  });

  it('resolves a manifest list to linux/amd64; ensure (the ImageResolver) pulls only what the node lacks', async () => {
    const s = fresh('multi');
    const rec = await s.ensure(`${open.host}/berth/box:multi`, { tlsVerify: false });
    expect(rec.id).to.equal(id);
    expect(rec.names).to.deep.equal([`${open.host}/berth/box:multi`]);
    // found locally now by its short name: no pull
    expect((await s.ensure('box:multi')).id).to.equal(id);
  });

  it('refuses a manifest list without linux/amd64', async () => {
    const s = fresh('arm');
    const e = await failure(pullImage(s, `${open.host}/berth/box:arm`, { tlsVerify: false }));
    expect(e.message).to.match(/no image found in manifest list for architecture amd64, variant "", OS linux \(has linux\/arm64\)/);
    await empty(s);
  });

  it('pulls with basic auth (--creds), and a registry answering 401 is a clear error', async () => {
    const s = fresh('auth');
    const denied = await failure(pullImage(s, `${locked.host}/berth/box:v1`, { tlsVerify: false }));
    expect(denied.message).to.match(/unauthorized: authentication required/);
    const wrong = await failure(pullImage(s, `${locked.host}/berth/box:v1`, { tlsVerify: false, creds: 'berth:nope' }));
    expect(wrong.message).to.match(/unauthorized: authentication required/);
    await empty(s);
    const rec = await pullImage(s, `${locked.host}/berth/box:v1`, { tlsVerify: false, creds: 'berth:s3cret' });
    expect(rec.id).to.equal(id);
  });

  it('an unknown tag is ENOIMAGE; a registry that is down is EUNAVAIL; neither leaves anything', async () => {
    const s = fresh('down');
    const unknown = await failure(pullImage(s, `${open.host}/berth/box:nope`, { tlsVerify: false }));
    expect(unknown.code).to.equal('ENOIMAGE');
    expect(unknown.message).to.match(/manifest unknown/);
    const gone = await startRegistry();
    const host = gone.host;
    await gone.stop();
    const down = await failure(pullImage(s, `${host}/berth/box:v1`, { tlsVerify: false }));
    expect(down.code).to.equal('EUNAVAIL');
    expect(down.message).to.match(new RegExp(`pinging container registry ${host.replace(/\./g, '\\.')}: ECONNREFUSED`));
    await empty(s);
  });
});
