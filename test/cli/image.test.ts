/**
 * The image verbs through the real `berth` against a worker of a private stack: load with
 * Podman's progress words on stderr, ls and inspect in Podman's JSON field names, rm with
 * rmi's exit codes, and a pull from a registry that is down.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import { startStack, TEST_ROOTFS, type Stack } from '../helpers/stack.js';
import { podmanSaves } from '../helpers/image-fixtures.js';
import { berth, lines } from './run-cli.js';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('cli: berth image and pull', function () {
  this.timeout(60_000);
  let s: Stack;
  let dir: string;
  let saves: Awaited<ReturnType<typeof podmanSaves>>;
  const cli = (...args: string[]) => berth(['--redis', s.redis.url, ...args]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-cli-image-'));
    saves = await podmanSaves(await ensureBusyboxRootfs(TEST_ROOTFS), dir, `localhost/berth-cli-image-${process.pid}:v1`);
    s = await startStack('cli-image', { prefix: '{berth}' }); // the CLI's prefix, in a private Redis
  });
  after(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('image load -i prints the loaded name, progress on stderr; ls --format json has Podman fields', async () => {
    const load = await cli('image', 'load', '-i', saves.docker);
    expect(load.code, load.stderr).to.equal(0);
    expect(load.stdout.trim()).to.equal(`Loaded image: localhost/berth-cli-image-${process.pid}:v1`);
    expect(lines(load.stderr)).to.include(`[${s.node}] Writing manifest to image destination`);
    expect(lines(load.stderr).some((l) => l.startsWith(`[${s.node}] Copying blob `))).to.equal(true);
    const ls = await cli('image', 'ls', '--format', 'json');
    expect(ls.code, ls.stderr).to.equal(0);
    const rows = JSON.parse(ls.stdout) as Record<string, unknown>[];
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ Id: saves.id, Node: s.node });
    expect(rows[0]!['Names']).to.deep.equal([`localhost/berth-cli-image-${process.pid}:v1`]);
    expect(rows[0]).to.have.keys('Id', 'ParentId', 'RepoTags', 'RepoDigests', 'Size', 'SharedSize', 'VirtualSize', 'Labels', 'Containers', 'Names', 'Digest', 'Created', 'CreatedAt', 'Node');
  });

  it('image inspect; image rm, and rm of an unknown image exits 1 as podman rmi', async () => {
    const inspect = await cli('image', 'inspect', saves.id.slice(0, 12));
    expect(inspect.code, inspect.stderr).to.equal(0);
    const [obj] = JSON.parse(inspect.stdout) as { Id: string; RepoTags: string[]; RootFS: { Layers: string[] }; Node: string }[];
    expect(obj!.Id).to.equal(saves.id);
    expect(obj!.Node).to.equal(s.node);
    expect(obj!.RootFS.Layers).to.have.length(1);
    const rm = await cli('image', 'rm', saves.id.slice(0, 12));
    expect(rm.code, rm.stderr).to.equal(0);
    expect(rm.stdout.trim()).to.equal(`Deleted: ${saves.id}`);
    const again = await cli('image', 'rm', saves.id.slice(0, 12));
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include(`${saves.id.slice(0, 12)}: image not known`);
  });

  it('pull from a registry that is down: exit 125, a clear error, and the node keeps serving', async () => {
    const port = await freePort(); // nothing listens there
    const pull = await cli('pull', '--tls-verify=false', `127.0.0.1:${port}/berth/none:v1`);
    expect(pull.code).to.equal(125);
    expect(pull.stderr).to.include(`pinging container registry 127.0.0.1:${port}: ECONNREFUSED`);
    const [imported] = await s.client.images.load(saves.oci);
    expect(imported!.id).to.equal(saves.id);
  });
});
