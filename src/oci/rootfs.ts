/**
 * A minimal root filesystem from Debian's busybox-static: bin/busybox, a symlink per applet in
 * bin/, etc/passwd and etc/group, and the empty tmp, proc, dev and sys dirs runc mounts over.
 * Idempotent: it is built in a sibling temporary dir and renamed into place, so concurrent callers
 * and interrupted builds never leave a half-made tree where a complete one is expected.
 */
import { constants } from 'node:fs';
import { access, chmod, copyFile, mkdir, mkdtemp, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { BerthError } from '../errors.js';

export const BUSYBOX = '/bin/busybox';
/** Present in a finished tree only. */
const MARKER = '.berth-rootfs';

const exists = (path: string) => access(path).then(() => true, () => false);

export async function ensureBusyboxRootfs(dir: string, busybox = BUSYBOX): Promise<string> {
  if (await exists(join(dir, MARKER))) return dir;
  await access(busybox, constants.X_OK).catch((err: unknown) => {
    throw new BerthError('ENORUNTIME', `${busybox} is missing: apt-get install busybox-static`, { cause: err });
  });
  await mkdir(dirname(dir), { recursive: true });
  const tmp = await mkdtemp(`${dir}.tmp-`);
  try {
    await build(tmp, busybox);
    // a tree without the marker is an interrupted build of an earlier version: replace it
    if ((await stat(dir).catch(() => null)) && !(await exists(join(dir, MARKER)))) await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      if ((err.code === 'ENOTEMPTY' || err.code === 'EEXIST') && (await exists(join(dir, MARKER)))) return; // another caller won
      throw err;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return dir;
}

async function build(root: string, busybox: string): Promise<void> {
  await chmod(root, 0o755); // mkdtemp made it 0700
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root']) await mkdir(join(root, d), { recursive: true });
  await chmod(join(root, 'tmp'), 0o1777);
  await copyFile(busybox, join(root, 'bin', 'busybox'));
  await chmod(join(root, 'bin', 'busybox'), 0o755);
  const { stdout } = await execa(busybox, ['--list'], { stdin: 'ignore' });
  const applets = stdout
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => /^[\w.[-]+$/.test(s) && s !== 'busybox');
  await Promise.all(applets.map((applet) => symlink('busybox', join(root, 'bin', applet))));
  await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  await writeFile(join(root, MARKER), '');
}
