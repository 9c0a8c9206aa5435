/**
 * Extracts a tar (plain, gzip or zstd: node-tar detects it) into a new directory, with every
 * entry checked first (tar-guard.ts), owners and modes kept. For layers, whiteouts become overlay
 * form: `.wh.NAME` a 0:0 character device NAME, `.wh..wh..opq` the trusted.overlay.opaque=y xattr
 * on its directory (coreutils' mknod and attr's setfattr, argument arrays). node-tar rather than
 * a hand-written parser: it streams, knows pax and GNU headers, and refuses writes through
 * symlinks; skopeo/umoci would add a Go toolchain's binaries for what node-tar does in-process.
 */
import { lchown, lstat, mkdir, rm, symlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { execa } from 'execa';
import { ReadEntry, x } from 'tar';
import { BerthError } from '../errors.js';
import { entryProblem, refusal } from './tar-guard.js';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

export interface UnpackOptions {
  /** Named in errors: "layer sha256:…", "archive x.tar". */
  what: string;
  /** Turn whiteouts into overlay form (layers); false for an archive's outer tar. */
  layer: boolean;
}

/** Extracts `file` into `dest` (created); throws EINVAL on the first refused or corrupt entry. */
export async function unpack(file: string, dest: string, o: UnpackOptions): Promise<void> {
  await mkdir(dest, { recursive: true });
  let refused: BerthError | null = null;
  const whiteouts: string[] = [];
  const opaques: string[] = [];
  // node-tar strips the / of an absolute symlink target (and preservePaths, which keeps it, would
  // also let entries be written through symlinks): such links are made again afterwards, as they were
  const absolute: { path: string; target: string; uid: number; gid: number }[] = [];
  const links = new Set<string>();
  try {
    await x({
      file,
      cwd: dest,
      // not strict: the / stripped from a link target is only information; every other warning refuses the tar
      strict: false,
      onwarn: (code, message) => {
        if (code !== 'TAR_ENTRY_INFO') refused ??= new BerthError('EINVAL', `${o.what}: corrupt or unsafe tar: ${message}`);
      },
      preserveOwner: true,
      processUmask: 0,
      unlink: true,
      filter: (path, entry) => {
        if (refused) return false;
        if (!(entry instanceof ReadEntry)) return false;
        const header = { path, type: entry.type, linkpath: entry.linkpath };
        const problem = entryProblem(header, { absoluteLinks: o.layer });
        if (problem) {
          refused = refusal(o.what, header, problem);
          return false;
        }
        const rel = path.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
        // nothing is written through a symlink of the same tar (the layer's dir starts empty)
        for (let d = posix.dirname(rel); d !== '.' && d !== '/'; d = posix.dirname(d)) {
          if (links.has(d)) {
            refused = refusal(o.what, header, `path goes through symlink ${JSON.stringify(d)}`);
            return false;
          }
        }
        if (entry.type === 'SymbolicLink') links.add(rel);
        else links.delete(rel);
        if (entry.type === 'SymbolicLink' && entry.linkpath?.startsWith('/')) absolute.push({ path: rel, target: entry.linkpath, uid: entry.uid ?? 0, gid: entry.gid ?? 0 });
        if (!o.layer) return true;
        const base = posix.basename(rel);
        if (base === OPAQUE) {
          opaques.push(posix.dirname(rel));
          return false;
        }
        if (base.startsWith(WHITEOUT)) {
          whiteouts.push(posix.join(posix.dirname(rel), base.slice(WHITEOUT.length)));
          return false;
        }
        return true;
      },
    });
  } catch (err) {
    if (refused) throw refused;
    throw new BerthError('EINVAL', `${o.what}: corrupt or truncated tar: ${(err as Error).message}`, { cause: err });
  }
  if (refused) throw refused;
  for (const l of absolute) {
    const at = join(dest, l.path);
    await rm(at, { force: true });
    await symlink(l.target, at);
    await lchown(at, l.uid, l.gid);
  }
  for (const dir of opaques) {
    const at = join(dest, dir);
    await mkdir(at, { recursive: true });
    await run('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', at], o.what);
  }
  for (const w of whiteouts) {
    const at = join(dest, w);
    await mkdir(join(at, '..'), { recursive: true });
    if (await lstat(at).catch(() => null)) await rm(at, { recursive: true, force: true });
    await run('mknod', ['-m', '0', at, 'c', '0', '0'], o.what);
  }
}

async function run(cmd: string, args: string[], what: string): Promise<void> {
  const r = await execa(cmd, args, { reject: false });
  if (r.exitCode !== 0) throw new BerthError('EINTERNAL', `${what}: ${cmd} failed: ${r.stderr || r.shortMessage}`);
}
