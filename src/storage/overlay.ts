/**
 * A container's overlay mount, as containers/storage's overlay driver makes it for Podman: the
 * image's layer dirs as lower dirs (shared by every container of the image, never written), an
 * upper and a work dir of the container's own, mounted on its merged dir. Every step is
 * idempotent (a mount found mounted is left, an unmount of what is not mounted does nothing), so
 * a runtime call interrupted midway is settled by running it again. `mount`/`umount` run through
 * execa with argument arrays.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { BerthError } from '../errors.js';

/** One container's storage dirs (oci/layout.ts storagePaths builds them). */
export interface StoragePaths {
  /** <stateDir>/storage/<id> */
  dir: string;
  upper: string;
  work: string;
  merged: string;
  /** The container's artifacts, a file per key (the seed's <StaticDir>/artifacts). */
  artifacts: string;
}

/** The octal escapes of /proc/self/mountinfo (space, tab, newline, backslash). */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

/** The mount points of this mount namespace. */
export async function mountPoints(): Promise<Set<string>> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return new Set(text.split('\n').filter(Boolean).map((l) => unescape(l.split(' ')[4] ?? '')));
}

export async function isMounted(path: string): Promise<boolean> {
  return (await mountPoints()).has(path);
}

/** overlay's mount options split on `,` and lowerdir on `:`: a layer path holding either cannot be named. */
function checkLayer(path: string): void {
  if (!path.startsWith('/') || /[,:\0]/.test(path)) throw new BerthError('EINVAL', `image layer "${path}" cannot be an overlay lower dir (absolute, without "," or ":")`);
}

/** Mounts the overlay unless it is mounted; `layers` lowest first. Resolves to the merged dir. */
export async function mountOverlay(p: StoragePaths, layers: readonly string[]): Promise<string> {
  if (layers.length === 0) throw new BerthError('EINVAL', 'an image without layers cannot be mounted');
  layers.forEach(checkLayer);
  await Promise.all([p.upper, p.work, p.merged].map((d) => mkdir(d, { recursive: true })));
  if (await isMounted(p.merged)) return p.merged;
  // overlay lists the top lower dir first
  const options = `lowerdir=${[...layers].reverse().join(':')},upperdir=${p.upper},workdir=${p.work}`;
  const r = await execa('mount', ['-t', 'overlay', 'overlay', '-o', options, p.merged], { reject: false });
  if (r.exitCode !== 0) throw new BerthError('EOCI', `mounting the storage at ${p.merged} failed: ${String(r.stderr).trim() || `mount exited ${String(r.exitCode)}`}`);
  return p.merged;
}

/**
 * `fn` run on a read-only overlay of `layers` (lowest first) mounted for the call at a dir of its
 * own under `dir`, never the container's merged dir (an init may mount that meanwhile).
 */
export async function withView<T>(dir: string, layers: readonly string[], fn: (root: string) => Promise<T>): Promise<T> {
  layers.forEach(checkLayer);
  await mkdir(dir, { recursive: true });
  const view = await mkdtemp(join(dir, 'view-'));
  try {
    const r = await execa('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${[...layers].reverse().join(':')}`, view], { reject: false });
    if (r.exitCode !== 0) throw new BerthError('EOCI', `mounting a view of the storage at ${view} failed: ${String(r.stderr).trim()}`);
    try {
      return await fn(view);
    } finally {
      await execa('umount', [view], { reject: false });
    }
  } finally {
    await rm(view, { recursive: true, force: true });
  }
}

/** Unmounts the overlay when mounted. */
export async function unmountOverlay(p: StoragePaths): Promise<void> {
  if (!(await isMounted(p.merged))) return;
  const r = await execa('umount', [p.merged], { reject: false });
  if (r.exitCode !== 0) throw new BerthError('EOCI', `unmounting the storage at ${p.merged} failed: ${String(r.stderr).trim() || `umount exited ${String(r.exitCode)}`}`);
}

/** Unmounts and removes the container's storage dir (its upper dir: what it wrote). */
export async function removeStorage(p: StoragePaths): Promise<void> {
  await unmountOverlay(p);
  await rm(p.dir, { recursive: true, force: true });
}
