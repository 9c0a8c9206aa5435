/**
 * Checkpoint and restore's files on the node (libpod's checkpoint: shared/LIFECYCLE.md §2.16):
 * whether this host can checkpoint at all (`criu check`, its first error line), runc
 * checkpoint's arguments, the checkpoint dir in the bundle (`<bundle>/checkpoint`, CRIU's images;
 * `<bundle>` is the work path, where CRIU writes dump.log and restore.log), and --export /
 * --import: a tar of `checkpoint/` and `spec.dump` (the OCI spec), as Podman's archives hold them.
 * Argument arrays only (execa).
 */
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { BerthError } from '../errors.js';
import { oneLine } from './runtime-log.js';
import type { CheckpointOptions, RestoreOptions } from './types.js';

/** Where runc checkpoint writes CRIU's images, in the container's bundle. */
export const checkpointDir = (bundle: string): string => join(bundle, 'checkpoint');

/** Podman's words for a restore with nothing to restore from. */
export const NO_CHECKPOINT = 'a complete checkpoint for this container cannot be found, cannot restore';

/**
 * null when `criu check` passes; else why this host cannot checkpoint: criu's first error line
 * (or that criu is not installed). The caller caches it: the answer is the host's.
 */
export async function criuSupport(criu = 'criu'): Promise<string | null> {
  const r = await execa(criu, ['check'], { stdin: 'ignore', reject: false, all: true });
  if (r.exitCode === 0) return null;
  if ((r as { code?: string }).code === 'ENOENT') return `${criu} is not installed`;
  const lines = (r.all ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return oneLine(lines.find((l) => l.startsWith('Error')) ?? lines[0] ?? `${criu} check exited with ${String(r.exitCode)}`);
}

/** `runc checkpoint`'s arguments after the verb (SEED oci.go: image path, work path, options). */
export function checkpointArgs(bundle: string, id: string, o: CheckpointOptions): string[] {
  return [
    '--image-path', checkpointDir(bundle),
    '--work-path', bundle,
    ...(o.leaveRunning ? ['--leave-running'] : []),
    ...(o.tcpEstablished ? ['--tcp-established'] : []),
    id,
  ];
}

/** Whether the bundle holds a complete checkpoint (CRIU's inventory.img, as Podman checks). */
export async function hasCheckpoint(bundle: string): Promise<boolean> {
  return stat(join(checkpointDir(bundle), 'inventory.img')).then((s) => s.isFile(), () => false);
}

/** After runc checkpoint: the archive (--export), then CRIU's logs go unless --keep. */
export async function afterCheckpoint(bundle: string, config: string, o: CheckpointOptions): Promise<void> {
  if (o.export) {
    await copyFile(config, join(bundle, 'spec.dump'));
    await tar(['-c', '-f', o.export, '-C', bundle, 'checkpoint', 'spec.dump'], `cannot export the checkpoint to ${o.export}`);
  }
  if (!o.keep) await Promise.all(['dump.log', 'stats-dump'].map((f) => rm(join(bundle, f), { force: true })));
}

/**
 * Before runc restore: an archive (--import) replaces the checkpoint dir; then the checkpoint
 * must be complete. A corrupt archive or a missing checkpoint is EINVAL, the container unchanged.
 */
export async function beforeRestore(bundle: string, o: RestoreOptions): Promise<void> {
  if (o.import) {
    await verifyArchive(o.import);
    await rm(checkpointDir(bundle), { recursive: true, force: true });
    await mkdir(bundle, { recursive: true });
    await tar(['-x', '-f', o.import, '-C', bundle, 'checkpoint'], `cannot import checkpoint archive ${o.import}`);
  }
  if (!(await hasCheckpoint(bundle))) throw new BerthError('EINVAL', NO_CHECKPOINT, { command: 'restore' });
}

/** After a restore: the checkpoint and CRIU's log go unless --keep. */
export async function afterRestore(bundle: string, o: RestoreOptions): Promise<void> {
  if (!o.keep) await Promise.all([rm(checkpointDir(bundle), { recursive: true, force: true }), rm(join(bundle, 'restore.log'), { force: true })]);
}

/**
 * An archive to import: a tar (any compression tar detects) that holds checkpoint/inventory.img.
 * Read only: callers check it before anything changes (the client, then the node again).
 */
export async function verifyArchive(file: string): Promise<void> {
  const r = await execa('tar', ['-t', '-f', file], { stdin: 'ignore', reject: false });
  if (r.exitCode !== 0) {
    const why = oneLine(r.stderr.split('\n').find((l) => l.trim() !== '') ?? `tar exited with ${String(r.exitCode)}`);
    throw new BerthError('EINVAL', `cannot import checkpoint archive ${file}: not a readable tar archive: ${why}`, { command: 'restore' });
  }
  const names = r.stdout.split('\n').map((n) => n.replace(/^\.\//, ''));
  if (!names.includes('checkpoint/inventory.img')) {
    throw new BerthError('EINVAL', `cannot import checkpoint archive ${file}: it holds no checkpoint (no checkpoint/inventory.img)`, { command: 'restore' });
  }
}

async function tar(args: string[], what: string): Promise<void> {
  const r = await execa('tar', args, { stdin: 'ignore', reject: false });
  if (r.exitCode !== 0) throw new BerthError('EINVAL', `${what}: ${oneLine(r.stderr.split('\n')[0] ?? '')}`, { command: args[0] === '-c' ? 'checkpoint' : 'restore' });
}
