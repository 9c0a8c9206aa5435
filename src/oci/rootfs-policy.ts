/**
 * Root filesystems confined (DESIGN invariant 9). A container's rootfs must be one of its node's
 * rootfs roots (`worker --rootfs-root DIR`, default `<state dir>/rootfs`) or inside one. Paths are
 * compared after resolving symlinks (realpath), so `..` and links lead nowhere else. Whatever the
 * roots say, a rootfs is never `/`, never holds one of Berth's private paths (its state dir, runc's
 * state, bundles, logs, the Redis data dir), and never lies inside one, except in the subtrees
 * meant for root filesystems (the state dir's rootfs/). Refusals are EINVAL naming the path.
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import { BerthError } from '../errors.js';

export interface RootfsPolicy {
  /** Absolute directories a rootfs must be, or be inside. */
  roots: readonly string[];
  /** Absolute paths no rootfs may hold or lie inside. */
  private: readonly string[];
  /** Subtrees of private paths that may hold root filesystems (`<state dir>/rootfs`). */
  open: readonly string[];
}

/** `path` is `parent` or lies inside it (both absolute and normalised). */
export function isWithin(path: string, parent: string): boolean {
  if (path === parent || parent === '/') return true;
  return path.startsWith(`${parent}/`);
}

/** The realpath of `path`, or of its longest existing prefix with the rest appended (a path not made yet). */
export async function realpathLoose(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (err) {
    const parent = dirname(path);
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === path) throw err;
    return join(await realpathLoose(parent), basename(path));
  }
}

/** Lexical checks of configured roots (worker options): absolute and not `/`. Returns them normalised. */
export function validateRootfsRoots(roots: unknown, option = 'rootfsRoots'): string[] {
  if (!Array.isArray(roots)) throw new BerthError('EINVAL', `\`${option}\` must be a list of absolute directories, got ${typeof roots}`);
  return roots.map((r: unknown) => {
    if (typeof r !== 'string' || !isAbsolute(r) || r.includes('\0')) {
      throw new BerthError('EINVAL', `\`${option}\` must be a list of absolute directories, got ${JSON.stringify(r) ?? String(r)} (${typeof r})`);
    }
    const root = normalize(r).replace(/(.)\/+$/, '$1');
    if (root === '/') throw new BerthError('EINVAL', `\`${option}\` must not include /: a container could see the whole host`);
    return root;
  });
}

interface Resolved {
  private: string[];
  open: string[];
}

async function resolvePrivate(policy: RootfsPolicy): Promise<Resolved> {
  const [priv, open] = await Promise.all([Promise.all(policy.private.map(realpathLoose)), Promise.all(policy.open.map(realpathLoose))]);
  return { private: priv, open };
}

/** Why `real` (a realpath) may not be a rootfs, or null. `what` names it in the message. */
function privateConflict(real: string, r: Resolved, what: string): string | null {
  if (real === '/') return `${what} is /: a container would see the whole host`;
  for (const p of r.private) {
    if (isWithin(p, real)) return `${what} holds ${p}, which Berth keeps to itself`;
    if (isWithin(real, p) && !r.open.some((o) => isWithin(real, o))) return `${what} lies inside ${p}, which Berth keeps to itself`;
  }
  return null;
}

const show = (path: string, real: string) => (path === real ? `"${path}"` : `"${path}" (${real})`);

/**
 * Checks the roots that exist against the private paths, after resolving symlinks: a root that
 * holds Berth's state is a configuration error, reported when the worker starts.
 */
export async function checkRootfsRoots(policy: RootfsPolicy, option = 'rootfsRoots'): Promise<void> {
  const r = await resolvePrivate(policy);
  for (const root of policy.roots) {
    const real = await realpathLoose(root);
    const conflict = privateConflict(real, r, `\`${option}\` ${show(root, real)}`);
    if (conflict) throw new BerthError('EINVAL', conflict);
  }
}

/**
 * Only the confinement: private paths and `/`, no roots. The runtime checks this again right
 * before `runc create`, in case the tree changed since the create.
 */
export async function checkNotPrivate(rootfs: string, policy: Pick<RootfsPolicy, 'private' | 'open'>): Promise<string> {
  const real = await realpath(rootfs).catch((err: NodeJS.ErrnoException) => {
    throw new BerthError('EINVAL', `rootfs "${rootfs}" cannot be resolved (${err.code ?? err.message})`, { cause: err });
  });
  const conflict = privateConflict(real, await resolvePrivate({ roots: [], ...policy }), `rootfs ${show(rootfs, real)}`);
  if (conflict) throw new BerthError('EINVAL', conflict);
  return real;
}

/**
 * The rootfs's realpath when the policy allows it; EINVAL naming the path and the allowed roots
 * otherwise. The rootfs must exist (checkRootfs in validate.ts says so first).
 */
export async function confineRootfs(rootfs: string, policy: RootfsPolicy, node?: string): Promise<string> {
  const real = await checkNotPrivate(rootfs, policy);
  const roots = await Promise.all(policy.roots.map(realpathLoose));
  if (roots.some((root) => isWithin(real, root))) return real;
  const allowed = policy.roots.length ? policy.roots.join(', ') : 'none configured';
  const whose = node === undefined ? "the node's rootfs roots" : `the rootfs roots of node ${node}`;
  throw new BerthError('EINVAL', `rootfs ${show(rootfs, real)} is outside ${whose} (${allowed}): start its worker with --rootfs-root to allow a directory`);
}
