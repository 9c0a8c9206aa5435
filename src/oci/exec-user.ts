/**
 * `exec -u USER[:GROUP]` resolved in the container's own /etc/passwd and /etc/group, as Podman
 * does (its lookup.GetUserGroupInfo): a name must be in passwd (else "unable to find user X: no
 * matching entries in passwd file"), a number need not be (gid 0 then); GROUP likewise in group;
 * the user's supplementary groups come from /etc/group. The files are read inside the rootfs only:
 * a symlink that leads out of it (the rootfs is the container's, untrusted) counts as no file.
 */
import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { isWithin } from './rootfs-policy.js';

export interface ExecUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** The user's home from passwd, for HOME; '' when unknown. */
  home: string;
}

const NUMERIC = /^[0-9]+$/;

/** A file of the rootfs as text; '' when missing or outside the rootfs. */
async function rootfsFile(rootfs: string, path: string): Promise<string> {
  try {
    const root = await realpath(rootfs);
    const real = await realpath(join(root, path));
    if (!isWithin(real, root)) return '';
    return await readFile(real, 'utf8');
  } catch {
    return '';
  }
}

const rows = (text: string) =>
  text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'));

/** Validates the shape of USER[:GROUP] (the boundary's check; resolution needs the rootfs). */
export function checkUserSpec(user: string): string | null {
  if (user === '') return null;
  const [u, g, ...rest] = user.split(':');
  if (rest.length > 0 || !u || g === '' || /[\s\0/]/.test(user)) return `invalid user "${user}": expected USER[:GROUP]`;
  return null;
}

export async function resolveExecUser(rootfs: string, user: string): Promise<ExecUser> {
  const bad = checkUserSpec(user);
  if (bad) throw new BerthError('EINVAL', bad);
  const [u = '', g] = user.split(':');
  const passwd = rows(await rootfsFile(rootfs, 'etc/passwd'));
  const entry = passwd.find((r) => (NUMERIC.test(u) ? r[2] === u : r[0] === u));
  if (!entry && !NUMERIC.test(u)) throw new BerthError('EINVAL', `unable to find user ${u}: no matching entries in passwd file`);
  const uid = entry ? Number(entry[2]) : Number(u);
  let gid = entry ? Number(entry[3]) : 0;
  const groups = rows(await rootfsFile(rootfs, 'etc/group'));
  if (g !== undefined) {
    const grp = groups.find((r) => (NUMERIC.test(g) ? r[2] === g : r[0] === g));
    if (!grp && !NUMERIC.test(g)) throw new BerthError('EINVAL', `unable to find group ${g}: no matching entries in group file`);
    gid = grp ? Number(grp[2]) : Number(g);
  }
  const name = entry?.[0];
  const additionalGids = name ? groups.filter((r) => (r[3] ?? '').split(',').includes(name)).map((r) => Number(r[2])).filter((n) => Number.isSafeInteger(n) && n !== gid) : [];
  if (!Number.isSafeInteger(uid) || !Number.isSafeInteger(gid)) throw new BerthError('EINVAL', `invalid user "${user}": ids out of range`);
  return { uid, gid, additionalGids, home: entry?.[5] ?? '' };
}
