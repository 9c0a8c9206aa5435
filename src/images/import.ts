/**
 * `image import TAR NAME[:TAG]`: a root filesystem tarball (plain or gzip) becomes a one-layer
 * image named localhost/NAME:TAG, as `podman import` makes it (an empty config but for the
 * rootfs, os and architecture, and PATH in Env as Podman sets it).
 */
import { copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { diffHexOf } from './digest.js';
import { localName } from './reference.js';
import type { ImageStore } from './store.js';
import type { ImageRecord } from './types.js';

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export async function importRootfs(store: ImageStore, file: string, name: string): Promise<ImageRecord> {
  const full = localName(name);
  const st = await stat(file).catch(() => null);
  if (!st?.isFile()) throw new BerthError('EINVAL', `import ${file}: no such file`);
  return store.withWork(async (work) => {
    const layer = join(work, 'rootfs.tar');
    await copyFile(file, layer);
    const diff = await diffHexOf(layer);
    const created = new Date().toISOString();
    const config = {
      created,
      architecture: 'amd64',
      os: 'linux',
      config: { Env: [DEFAULT_PATH] },
      rootfs: { type: 'layers', diff_ids: [`sha256:${diff}`] },
      history: [{ created, created_by: '/bin/sh -c #(nop) ADD file in / ', comment: 'imported from tarball' }],
    };
    return store.commit({ config: Buffer.from(JSON.stringify(config)), layers: [layer], names: [full] }, work);
  });
}
