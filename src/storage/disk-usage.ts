/**
 * Bytes of a tree, as `du --apparent-size` counts them and Podman's SizeRw / SizeRootFs report:
 * regular files and symlinks, each hard-linked inode once; dirs and devices count nothing.
 * Symlinks are never followed.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function treeBytes(root: string, seen = new Set<string>()): Promise<number> {
  const st = await lstat(root).catch(() => null);
  if (!st) return 0;
  if (!st.isDirectory()) {
    if (!(st.isFile() || st.isSymbolicLink())) return 0;
    // only a hard-linked file can be met twice (an overlay's inode numbers repeat across layers)
    if (st.nlink > 1 && st.isFile()) {
      const inode = `${st.dev}:${st.ino}`;
      if (seen.has(inode)) return 0;
      seen.add(inode);
    }
    return st.size;
  }
  let total = 0;
  for (const name of await readdir(root).catch(() => [] as string[])) total += await treeBytes(join(root, name), seen);
  return total;
}
