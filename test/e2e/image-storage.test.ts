/**
 * Containers from images on real runc through the queue (issue 11, points 2 and 3): a test image
 * of two hand-made layers (test/helpers/test-images.ts) mounted as each container's overlay; the
 * image's config applies and flags override it; writes stay in the container's own upper dir;
 * --read-only; cleanup releases the mount and rm removes the storage dir.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { BerthError } from '../../src/errors.js';
import { isMounted } from '../../src/storage/overlay.js';
import { settled, startStack, type Stack } from '../helpers/stack.js';
import { makeTestImages, TEST_IMAGE, TEST_IMAGE_ID } from '../helpers/test-images.js';

describe('e2e: containers from images on their own overlay', function () {
  this.timeout(60_000);
  let s: Stack;

  before(async () => {
    s = await startStack('images', { images: makeTestImages });
  });
  after(async () => {
    await s?.close();
  });

  /** Runs a container to its end; its stdout lines and exit code. */
  const runToEnd = async (name: string, spec: Record<string, unknown>) => {
    await s.client.create({ name, image: TEST_IMAGE, ...spec });
    const waiting = s.client.wait(name);
    await s.client.start(name);
    const code = await waiting;
    const lines: string[] = [];
    for await (const l of s.client.logs(name)) lines.push(`${l.stream === 'stderr' ? 'E:' : ''}${l.text}`);
    return { code, lines };
  };

  it("applies the image's Cmd, Env, WorkingDir and User, and inspect shows Image, ImageName and Config.Labels", async () => {
    const { code, lines } = await runToEnd('img-defaults', {});
    expect(code).to.equal(0);
    expect(lines).to.deep.equal(['hello from the image', '1000', '/srv']);
    const i = await s.client.inspect('img-defaults');
    expect(i.Image).to.equal(TEST_IMAGE_ID);
    expect(i.ImageName).to.equal(TEST_IMAGE);
    expect(i.Config.Labels).to.deep.equal({ maker: 'berth-test', tier: 'image' });
    expect(i.Config.StopSignal).to.equal('SIGINT');
    expect(i.Config.User).to.equal('app');
    expect(i.Rootfs).to.equal('');
    expect(i.GraphDriver?.Data.MergedDir).to.equal(join(s.stateDir, 'storage', i.Id, 'merged'));
  });

  it('shows the layers merged: the second layer adds a file and its whiteout hides one of the base', async () => {
    const { code, lines } = await runToEnd('img-layers', {
      user: 'root',
      command: ['sh', '-c', 'cat /hello.txt /etc/motd; test -e /srv/gone.txt && echo visible || echo hidden; grep -c ^app: /etc/passwd'],
    });
    expect(code).to.equal(0);
    expect(lines).to.deep.equal(['from the second layer', 'base motd', 'hidden', '1']);
  });

  it('lets flags override the image: command, env, workdir, user, stop signal, labels, and --entrypoint drops the Cmd', async () => {
    const { lines } = await runToEnd('img-flags', {
      env: { GREETING: 'from the flag' },
      workdir: '/etc',
      user: '0:0',
      stopSignal: 'SIGTERM',
      labels: { tier: 'flag' },
      entrypoint: ['sh', '-c', 'echo "$GREETING" "$0"; id -u; pwd'],
    });
    // the image's Cmd is dropped with --entrypoint: $0 is sh's own name
    expect(lines).to.deep.equal(['from the flag sh', '0', '/etc']);
    const i = await s.client.inspect('img-flags');
    expect(i.Config.StopSignal).to.equal('SIGTERM');
    expect(i.Config.Labels).to.deep.equal({ maker: 'berth-test', tier: 'flag' });
    const both = await runToEnd('img-entry-cmd', { entrypoint: ['echo', 'entry'], command: ['and', 'cmd'] });
    expect(both.lines).to.deep.equal(['entry and cmd']);
  });

  it("keeps each container's writes in its own upper dir: another container of the image does not see them", async () => {
    const first = await runToEnd('img-writer', { user: 'root', command: ['sh', '-c', 'echo mine > /hello.txt; echo new > /srv/new.txt; cat /hello.txt'] });
    expect(first.lines).to.deep.equal(['mine']);
    const id = (await s.client.inspect('img-writer')).Id;
    expect(readFileSync(join(s.stateDir, 'storage', id, 'upper', 'srv', 'new.txt'), 'utf8')).to.equal('new\n');
    const second = await runToEnd('img-reader', { user: 'root', command: ['sh', '-c', 'cat /hello.txt; ls /srv'] });
    expect(second.lines).to.deep.equal(['from the second layer']);
  });

  it('--read-only: writing the root fails, /tmp is a writable tmpfs', async () => {
    const { code, lines } = await runToEnd('img-ro', { user: 'root', readOnly: true, command: ['sh', '-c', 'touch /x 2>/dev/null && echo wrote || echo refused; echo t > /tmp/t && cat /tmp/t'] });
    expect(code).to.equal(0);
    expect(lines).to.deep.equal(['refused', 't']);
  });

  it('mounts at init, releases the mount at cleanup, removes the storage dir at rm', async () => {
    const c = await s.client.create({ name: 'img-life', image: TEST_IMAGE, command: ['sleep', '60'] });
    const dir = join(s.stateDir, 'storage', c.Id);
    expect(await isMounted(join(dir, 'merged')), 'not mounted before init').to.equal(false);
    await s.client.start('img-life');
    expect(await isMounted(join(dir, 'merged'))).to.equal(true);
    expect((await s.runc(c.Id))?.status).to.equal('running');
    await s.client.stop('img-life', { timeout: 0 });
    await s.client.enqueue('img-life', 'cleanup');
    await settled(s.client, 'img-life', 'exited');
    expect(await isMounted(join(dir, 'merged')), 'cleanup unmounts').to.equal(false);
    expect(existsSync(join(dir, 'upper'))).to.equal(true);
    await s.client.start('img-life');
    expect(await isMounted(join(dir, 'merged')), 'a restart mounts again').to.equal(true);
    await s.client.remove('img-life', { force: true, timeout: 0 });
    expect(await isMounted(join(dir, 'merged'))).to.equal(false);
    expect(existsSync(dir), 'rm removes the storage dir').to.equal(false);
    expect(await s.runc(c.Id)).to.equal(null);
  });

  it('refuses bad input with clear errors and creates nothing', async () => {
    const refused = async (spec: Record<string, unknown>) => {
      const err = (await s.client.create({ name: 'img-bad', ...spec }).catch((e: unknown) => e)) as BerthError;
      expect(err).to.be.instanceOf(Error);
      return `${err.code}: ${err.message}`;
    };
    expect(await refused({ image: 'nope:1' })).to.match(/^EINVAL: .*nope:1: image not known/);
    expect(await refused({ image: TEST_IMAGE, rootfs: s.rootfs, command: ['true'] })).to.equal('EINVAL: invalid container spec: rootfs and image exclude each other');
    expect(await refused({ command: ['true'] })).to.equal('EINVAL: invalid container spec: rootfs or image is required');
    expect(await refused({ image: 'has space' })).to.match(/^EINVAL: invalid container spec: image: image must be a reference/);
    expect(await refused({ image: TEST_IMAGE, entrypoint: [''] })).to.match(/no command or entrypoint provided, and no CMD or ENTRYPOINT from image/);
    expect(await refused({ image: TEST_IMAGE, user: 'a:b:c' })).to.match(/user must be USER\[:GROUP\]/);
    const names = (await s.client.list({ all: true })).map((c) => c.Name);
    expect(names).to.not.include('img-bad');
  });
});
