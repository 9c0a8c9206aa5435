/**
 * Root filesystems confined to the node's roots and away from Berth's own files, on a hand-made
 * tree: symlinks and `..` are resolved before anything is compared.
 */
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { checkNotPrivate, checkRootfsRoots, confineRootfs, isWithin, realpathLoose, validateRootfsRoots, type RootfsPolicy } from '../../src/oci/index.js';
import { rejection } from './support.js';

describe('oci/rootfs-policy: where a rootfs may be', () => {
  let dir: string;
  let policy: RootfsPolicy;
  const at = (p: string) => join(dir, p);

  before(async () => {
    dir = await realpathLoose(await mkdtemp(join(tmpdir(), 'berth-policy-')));
    // state/ is Berth's (bundles, runc, the Redis AOF); state/rootfs/ and roots/ hold root filesystems
    for (const d of ['state/bundles/c1', 'state/rootfs/busybox', 'roots/a/bin', 'roots/b', 'redis', 'elsewhere']) await mkdir(at(d), { recursive: true });
    await symlink('/', at('roots/to-host'));
    await symlink(at('state/bundles'), at('roots/to-bundles'));
    await symlink(at('roots/a'), at('elsewhere/to-a'));
    policy = { roots: [at('roots'), at('state/rootfs')], private: [at('state'), at('redis')], open: [at('state/rootfs')] };
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('compares whole path components', () => {
    expect(isWithin('/srv/a', '/srv')).to.equal(true);
    expect(isWithin('/srv', '/srv')).to.equal(true);
    expect(isWithin('/srv2', '/srv')).to.equal(false);
    expect(isWithin('/anything', '/')).to.equal(true);
  });

  it('takes a rootfs in a root, or a root itself, and answers its real path', async () => {
    expect(await confineRootfs(at('roots/a'), policy)).to.equal(at('roots/a'));
    expect(await confineRootfs(at('roots'), policy)).to.equal(at('roots'));
    expect(await confineRootfs(at('state/rootfs/busybox'), policy)).to.equal(at('state/rootfs/busybox'));
    // a link from elsewhere into a root is judged by where it leads
    expect(await confineRootfs(at('elsewhere/to-a'), policy)).to.equal(at('roots/a'));
  });

  it('refuses a rootfs outside every root, naming it and the allowed roots', async () => {
    const e = await rejection(confineRootfs(at('elsewhere'), policy, 'n1'), 'EINVAL');
    expect(e.message).to.equal(
      `rootfs "${at('elsewhere')}" is outside the rootfs roots of node n1 (${at('roots')}, ${at('state/rootfs')}): start its worker with --rootfs-root to allow a directory`,
    );
    const none = await rejection(confineRootfs(at('roots/a'), { ...policy, roots: [] }), 'EINVAL');
    expect(none.message).to.contain("is outside the node's rootfs roots (none configured)");
  });

  it('refuses / and the private paths, through symlinks and .. alike', async () => {
    expect((await rejection(confineRootfs(at('roots/to-host'), policy))).message).to.equal(`rootfs "${at('roots/to-host')}" (/) is /: a container would see the whole host`);
    expect((await rejection(confineRootfs('/', { ...policy, roots: ['/'] }))).message).to.equal('rootfs "/" is /: a container would see the whole host');
    expect((await rejection(confineRootfs(at('roots/to-bundles'), policy))).message).to.equal(
      `rootfs "${at('roots/to-bundles')}" (${at('state/bundles')}) lies inside ${at('state')}, which Berth keeps to itself`,
    );
    expect((await rejection(confineRootfs(at('roots/../state/bundles/c1'), policy))).message).to.contain(`lies inside ${at('state')}`);
    expect((await rejection(confineRootfs(at('state'), policy))).message).to.equal(`rootfs "${at('state')}" holds ${at('state')}, which Berth keeps to itself`);
    expect((await rejection(confineRootfs(dir, { ...policy, roots: [dir] }))).message).to.equal(`rootfs "${dir}" holds ${at('state')}, which Berth keeps to itself`);
    expect((await rejection(confineRootfs(at('redis'), { ...policy, roots: [dir] }))).message).to.contain(`holds ${at('redis')}`);
  });

  it('refuses a rootfs that does not resolve', async () => {
    const e = await rejection(checkNotPrivate(at('roots/none'), policy), 'EINVAL');
    expect(e.message).to.equal(`rootfs "${at('roots/none')}" cannot be resolved (ENOENT)`);
  });

  it('checks configured roots: absolute, never /, never holding or inside a private path', async () => {
    expect(validateRootfsRoots(['/srv/rootfs/', '/a//b'])).to.deep.equal(['/srv/rootfs', '/a/b']);
    expect(() => validateRootfsRoots(['/'])).to.throw('`rootfsRoots` must not include /: a container could see the whole host');
    expect(() => validateRootfsRoots(['rel'], '--rootfs-root')).to.throw('`--rootfs-root` must be a list of absolute directories, got "rel" (string)');
    expect(() => validateRootfsRoots('/srv')).to.throw('`rootfsRoots` must be a list of absolute directories, got string');
    await checkRootfsRoots(policy);
    await checkRootfsRoots({ ...policy, roots: [at('not-made-yet')] });
    expect((await rejection(checkRootfsRoots({ ...policy, roots: [at('state')] }))).message).to.equal(`\`rootfsRoots\` "${at('state')}" holds ${at('state')}, which Berth keeps to itself`);
    expect((await rejection(checkRootfsRoots({ ...policy, roots: [at('roots/to-host')] }))).message).to.contain('is /');
    expect((await rejection(checkRootfsRoots({ ...policy, roots: [at('state/bundles')] }))).message).to.contain(`lies inside ${at('state')}`);
  });
});
