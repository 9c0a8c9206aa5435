/**
 * What a tar entry may be before Berth writes it: a path inside the extraction root (no absolute
 * path, no `..`), a symlink whose relative target stays inside it (an absolute target is rooted
 * in the container, as runc resolves it, unless `absoluteLinks` is false), a hard link to a path
 * inside it, and no device node. The first refusal names the entry. Pure.
 */
import { posix } from 'node:path';
import { BerthError } from '../errors.js';
import { excerpt } from '../printable.js';

export interface EntryHeader {
  path: string;
  type: string;
  linkpath?: string | undefined;
}

/** The entry's path relative to the root ('' for the root itself), or why it is refused. */
function relative(p: string): string {
  return p.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

function escapes(p: string): boolean {
  return p === '..' || p.startsWith('../');
}

/** Null when the entry may be extracted; else the reason, for `refuse`. */
export function entryProblem(e: EntryHeader, opts: { absoluteLinks: boolean }): string | null {
  const path = relative(e.path);
  if (e.path.startsWith('/')) return 'absolute path';
  if (path.split('/').includes('..')) return "path contains '..'";
  if (e.type === 'CharacterDevice' || e.type === 'BlockDevice') return 'device node';
  const link = e.linkpath ?? '';
  if (e.type === 'SymbolicLink') {
    if (link.startsWith('/')) return opts.absoluteLinks ? null : 'symlink to an absolute path';
    if (escapes(posix.normalize(posix.join(posix.dirname(path), link)))) return `symlink to ${excerpt(link)} points outside`;
  }
  if (e.type === 'Link') {
    if (link.startsWith('/') || escapes(posix.normalize(relative(link)))) return `hard link to ${excerpt(link)} points outside`;
  }
  return null;
}

export function refusal(what: string, e: EntryHeader, problem: string): BerthError {
  return new BerthError('EINVAL', `${what}: refused tar entry ${excerpt(e.path)}: ${problem}`);
}
