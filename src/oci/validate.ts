/**
 * Checks made on the node at create time, before anything reaches runc: the rootfs exists, and the
 * command can be found in it (absolute, or on the PATH of the container's environment). Symlinks
 * are followed relative to the rootfs, as they will be inside the container (busybox applets are
 * links such as bin/sh -> busybox or -> /bin/busybox).
 */
import { constants } from 'node:fs';
import { access, lstat, readlink, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { BerthError } from '../errors.js';

/** The PATH a container gets when its environment has none (Podman's and runc's default). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Linux's limit on symlinks followed while resolving one path. */
const MAX_LINKS = 40;

/** The rootfs must be an absolute path to an existing directory. */
export async function checkRootfs(rootfs: string): Promise<void> {
  if (!posix.isAbsolute(rootfs)) throw new BerthError('EINVAL', `rootfs "${rootfs}" must be an absolute path`);
  const st = await stat(rootfs).catch(() => null);
  if (!st) throw new BerthError('EINVAL', `rootfs "${rootfs}" does not exist`);
  if (!st.isDirectory()) throw new BerthError('EINVAL', `rootfs "${rootfs}" is not a directory`);
}

/**
 * Resolves `path` (absolute, as seen inside the container) to a host path under `rootfs`,
 * following symlinks as the container would: absolute targets restart at the rootfs, `..` never
 * climbs above it. Null when a component is missing or links loop.
 */
export async function resolveInRootfs(rootfs: string, path: string): Promise<string | null> {
  const pending = path.split('/').reverse();
  let current = '/';
  let links = 0;
  while (pending.length > 0) {
    const part = pending.pop()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      current = posix.dirname(current);
      continue;
    }
    const next = posix.join(current, part);
    const st = await lstat(posix.join(rootfs, next)).catch(() => null);
    if (!st) return null;
    if (!st.isSymbolicLink()) {
      current = next;
      continue;
    }
    if (++links > MAX_LINKS) return null;
    const target = await readlink(posix.join(rootfs, next));
    if (target.startsWith('/')) current = '/';
    pending.push(...target.split('/').reverse());
  }
  return posix.join(rootfs, current);
}

async function isExecutable(rootfs: string, path: string): Promise<boolean> {
  const real = await resolveInRootfs(rootfs, path);
  if (real === null) return false;
  const st = await stat(real).catch(() => null);
  if (!st?.isFile()) return false;
  return access(real, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** The PATH entry of a KEY=VALUE environment, or the default. */
export function pathOf(env: readonly string[]): string {
  const entry = [...env].reverse().find((e) => e.startsWith('PATH='));
  return entry === undefined ? DEFAULT_PATH : entry.slice('PATH='.length);
}

/**
 * The path, inside the container, of the executable `argv0` names. An absolute argv0 must exist
 * and be executable; a relative one with a slash is taken relative to `cwd`; a bare name is
 * searched on the PATH of `env` (or the default). BerthError EINVAL naming argv0 and the rootfs.
 */
export async function resolveCommand(rootfs: string, argv0: string, env: readonly string[], cwd = '/'): Promise<string> {
  const notFound = () => new BerthError('EINVAL', `executable "${argv0}" not found in rootfs ${rootfs}`);
  if (argv0 === '') throw notFound();
  if (argv0.includes('/')) {
    const path = posix.resolve(cwd, argv0);
    if (await isExecutable(rootfs, path)) return path;
    throw notFound();
  }
  for (const dir of pathOf(env).split(':')) {
    if (!dir.startsWith('/')) continue;
    const candidate = posix.join(dir, argv0);
    if (await isExecutable(rootfs, candidate)) return candidate;
  }
  throw notFound();
}
