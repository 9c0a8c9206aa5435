/**
 * The storage verbs of the CLI, run in this process against a real stack (issue 11): create from
 * an image by its positional, mount / umount, inspect --size, artifact add|get|ls|rm, and their
 * refusals with Podman's exit code 125.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { main } from '../../src/cli/main.js';
import type { Env, Io } from '../../src/cli/context.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { makeTestImages, TEST_IMAGE } from '../helpers/test-images.js';

describe('cli: create IMAGE, mount, umount, inspect --size, artifact', function () {
  this.timeout(60_000);
  let s: Stack;
  const berth = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (l) => void out.push(l), err: (l) => void err.push(l), write: async (to, b) => void (to === 'out' ? out : err).push(b.toString()) };
    const env: Env = { BERTH_STATE_DIR: s.stateDir };
    const code = await main(['node', 'berth', '--redis', s.redis.url, ...args], io, env);
    return { code, out, err };
  };

  before(async () => {
    s = await startStack('storage-cli', { prefix: '{berth}', images: makeTestImages });
  });
  after(async () => {
    await s?.close();
  });

  it('creates from the image positional, mounts, sizes, unmounts', async () => {
    const created = await berth('create', '--name', 'c1', '--label', 'x=1', TEST_IMAGE, 'sleep', '60');
    expect(created.err).to.deep.equal([]);
    expect(created.code).to.equal(0);
    const id = created.out[0]!;
    const inspected = JSON.parse((await berth('inspect', '--size', 'c1')).out.join('\n')) as Array<Record<string, unknown> & { Config: { Cmd: string[]; Labels: Record<string, string> } }>;
    expect(inspected[0]).to.include({ ImageName: TEST_IMAGE, SizeRw: 0 });
    expect(inspected[0]!.Config.Cmd).to.deep.equal(['sleep', '60']);
    expect(inspected[0]!.Config.Labels).to.deep.equal({ maker: 'berth-test', tier: 'image', x: '1' });
    expect(await berth('mount', 'c1')).to.deep.include({ code: 0, out: [join(s.stateDir, 'storage', id, 'merged')] });
    expect(await berth('umount', 'c1')).to.deep.include({ code: 0, out: ['c1'] });
    const refused = await berth('unmount', 'nope');
    expect(refused.code).to.equal(125);
    expect(refused.err.join('\n')).to.contain('nope');
  });

  it('artifact add from a file, get to stdout, ls (table and json), rm; a bad key is refused', async () => {
    const file = join(s.stateDir, 'in.txt');
    writeFileSync(file, 'kept\n');
    expect((await berth('artifact', 'add', 'c1', 'k1', file)).code).to.equal(0);
    expect(await berth('artifact', 'get', 'c1', 'k1')).to.deep.include({ code: 0, out: ['kept\n'] });
    expect((await berth('artifact', 'ls', 'c1')).out).to.deep.equal(['KEY SIZE', 'k1 5']);
    expect(JSON.parse((await berth('artifact', 'ls', '--format', 'json', 'c1')).out.join(''))).to.deep.equal([{ key: 'k1', size: 5 }]);
    const bad = await berth('artifact', 'add', 'c1', 'a/b', file);
    expect(bad.code).to.equal(125);
    expect(bad.err.join('')).to.contain('artifact keys are file names');
    expect((await berth('artifact', 'rm', 'c1', 'k1')).code).to.equal(0);
    expect((await berth('artifact', 'ls', 'c1')).out).to.deep.equal(['KEY SIZE']);
  });
});
