/**
 * A test-only ImageResolver over layer dirs made by hand, in overlay form, from the busybox
 * rootfs: `base` is a copy of it plus /etc/motd and /srv/gone.txt; `top` adds /hello.txt, a user
 * `app` (uid 1000) in /etc/passwd and whites /srv/gone.txt out with a 0:0 char device (overlay's
 * whiteout). The image's config sets Cmd, Env, WorkingDir, User, StopSignal and Labels.
 */
import { appendFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { BerthError } from '../../src/errors.js';
import type { ImageRecord, ImageResolver } from '../../src/images/types.js';

export const TEST_IMAGE_ID = 'a'.repeat(64);
export const TEST_IMAGE = 'localhost/berth-test:latest';

export class TestImages implements ImageResolver {
  /** How many times ensure() was asked (a create resolves its image on the node). */
  ensured = 0;
  constructor(readonly images: ImageRecord[]) {}

  async find(ref: string): Promise<ImageRecord | null> {
    const full = ref.includes(':') ? ref : `${ref}:latest`;
    return this.images.find((i) => i.id.startsWith(ref) || i.names.some((n) => n === ref || n === full || n === `localhost/${full}`)) ?? null;
  }

  async ensure(ref: string): Promise<ImageRecord> {
    this.ensured++;
    const image = await this.find(ref);
    if (!image) throw new BerthError('EINVAL', `${ref}: image not known`);
    return image;
  }
}

/** Makes the two layers under `dir` from the busybox rootfs; the resolver knows the one image. */
export async function makeTestImages(dir: string, busyboxRootfs: string): Promise<TestImages> {
  const base = join(dir, 'layers', 'base');
  const top = join(dir, 'layers', 'top');
  await mkdir(join(dir, 'layers'), { recursive: true });
  await cp(busyboxRootfs, base, { recursive: true, verbatimSymlinks: true });
  await mkdir(join(base, 'srv'), { recursive: true });
  await writeFile(join(base, 'etc', 'motd'), 'base motd\n');
  await writeFile(join(base, 'srv', 'gone.txt'), 'whited out above\n');
  await mkdir(join(top, 'etc'), { recursive: true });
  await mkdir(join(top, 'srv'), { recursive: true });
  await writeFile(join(top, 'hello.txt'), 'from the second layer\n');
  await writeFile(join(top, 'etc', 'passwd'), await readFile(join(base, 'etc', 'passwd'), 'utf8'));
  await appendFile(join(top, 'etc', 'passwd'), 'app:x:1000:1000:app:/srv:/bin/sh\n');
  await execa('mknod', [join(top, 'srv', 'gone.txt'), 'c', '0', '0']);
  return new TestImages([
    {
      id: TEST_IMAGE_ID,
      names: [TEST_IMAGE],
      layers: [base, top],
      config: {
        Cmd: ['sh', '-c', 'echo "$GREETING"; id -u; pwd'],
        Env: ['PATH=/bin', 'GREETING=hello from the image'],
        WorkingDir: '/srv',
        User: 'app',
        StopSignal: 'SIGINT',
        Labels: { maker: 'berth-test', tier: 'image' },
      },
      size: 0,
      created: new Date(0).toISOString(),
    },
  ]);
}
