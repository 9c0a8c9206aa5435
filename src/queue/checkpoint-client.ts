/**
 * The client side of checkpoint and restore (`berth checkpoint`, `berth restore`; client.ts
 * delegates here): the API's options as the command table's arguments, checked before anything is
 * queued. An archive to import is read first (tar -t): one that is not a tar, or holds no
 * checkpoint, is refused here with a clear error and nothing queued. Paths are absolute (the CLI
 * resolves relative ones): the archive is written and read on the container's node.
 */
import { BerthError } from '../errors.js';
import { verifyArchive } from '../oci/criu.js';
import type { EnqueueArgs } from './client-types.js';

/** `client.checkpoint`'s options (Podman's `container checkpoint` flags). */
export interface CheckpointApiOptions {
  /** --keep: CRIU's logs kept. */
  keep?: boolean;
  /** --leave-running: the container runs on after the dump. */
  leaveRunning?: boolean;
  /** --tcp-established: established TCP connections are dumped. */
  tcpEstablished?: boolean;
  /** --export: a tar of the checkpoint written there (an absolute path on the container's node). */
  export?: string;
}

/** `client.restore`'s options (Podman's `container restore` flags). */
export interface RestoreApiOptions {
  /** --keep: the checkpoint kept after the restore. */
  keep?: boolean;
  tcpEstablished?: boolean;
  /** --import: restore from this tar (made by --export; an absolute path on the container's node). */
  import?: string;
}

const absolute = (flag: string, p: string | undefined): void => {
  if (p !== undefined && (typeof p !== 'string' || !p.startsWith('/'))) throw new BerthError('EINVAL', `--${flag} must be an absolute path, got ${JSON.stringify(String(p)).slice(0, 80)}`);
};

export async function checkpointCommand(o: CheckpointApiOptions): Promise<EnqueueArgs> {
  absolute('export', o.export);
  return { ...o };
}

export async function restoreCommand(o: RestoreApiOptions): Promise<EnqueueArgs> {
  absolute('import', o.import);
  if (o.import !== undefined) await verifyArchive(o.import);
  return { ...o };
}
