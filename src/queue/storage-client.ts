/**
 * The client side of container storage: `client.storage.mount(name)` and `unmount` are commands of
 * the one table (the machine applies them under the container's lease, in its mailbox's order;
 * the path is the result's GraphDriver.Data.MergedDir, or Rootfs); `size`, `export`, and the
 * artifacts (`addArtifact`, `getArtifact`, `removeArtifact`, `listArtifacts`) are storage jobs
 * (storage/ops.ts), each one job on the container's node queue, answered by its node (storage-jobs.ts). Any client
 * machine may ask: artifacts are read back through the job's answer (each is small, bounded).
 * A container that has been removed (named by its Id, its record still kept) is "container <id>
 * has been removed"; arguments are checked here first, with the node's schema.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { BerthError } from '../errors.js';
import { ID_PATTERN, describeIssues } from '../spec.js';
import { ARTIFACT_HARD_MAX_BYTES, STORAGE_JOB, storageOpSchema, type StorageOp, type StorageResult } from '../storage/ops.js';
import type { Inspect } from '../actors/inspect.js';
import type { ContainerStore } from '../store/containers.js';
import type { NodeQueues } from './node-queues.js';
import type { Located } from './resolver.js';
import { readExport } from './export-stream.js';

type OpInput = StorageOp extends infer O ? (O extends StorageOp ? Omit<O, 'container'> : never) : never;

export interface ContainerSize {
  /** Bytes the container wrote (its overlay's upper dir); 0 for a --rootfs container. */
  SizeRw: number;
  /** Bytes of its whole root filesystem. */
  SizeRootFs: number;
}

export class StorageClient {
  constructor(
    private readonly store: ContainerStore,
    private readonly queues: NodeQueues,
    private readonly locate: (nameOrId: string) => Promise<Located>,
    /** A new connection for a blocking read (the export's). */
    private readonly blocking: (name: string) => Redis,
    /** Queues a command of the table and waits for its result (the client's run). */
    private readonly command: (nameOrId: string, command: 'mount' | 'unmount', args: { force?: boolean }) => Promise<Inspect>,
  ) {}

  private async where(nameOrId: string): Promise<Located> {
    try {
      const at = await this.locate(nameOrId);
      // a name remembered by this client may be of a container removed since
      if (at.remembered && (await this.store.get(at.id))?.status === 'removed') throw new BerthError('ENOCTR', `container ${nameOrId} has been removed`, { container: nameOrId });
      return at;
    } catch (err) {
      if (err instanceof BerthError && err.code === 'ENOCTR' && ID_PATTERN.test(nameOrId) && (await this.store.get(nameOrId))?.status === 'removed') {
        throw new BerthError('ENOCTR', `container ${nameOrId} has been removed`, { container: nameOrId });
      }
      throw err;
    }
  }

  private async run(nameOrId: string, input: OpInput, located?: Located): Promise<StorageResult> {
    const at = located ?? (await this.where(nameOrId));
    const parsed = storageOpSchema.safeParse({ ...input, container: at.id });
    if (!parsed.success) throw new BerthError('EINVAL', `invalid ${input.op} of container ${nameOrId}: ${describeIssues(parsed.error)}`, { container: nameOrId });
    const job = await this.queues.add(at.node, STORAGE_JOB, parsed.data, undefined);
    return (await this.queues.finished(at.node, job)) as unknown as StorageResult;
  }

  /** Mounts the container's root (an image container's overlay) and counts the mount; its path on the node. */
  async mount(nameOrId: string): Promise<string> {
    const after = await this.command(nameOrId, 'mount', {});
    return after.GraphDriver?.Data.MergedDir ?? after.Rootfs;
  }

  /** Drops a mount; refused while running or paused or with exec sessions (the seed's rules). */
  async unmount(nameOrId: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.command(nameOrId, 'unmount', opts.force ? { force: true } : {});
  }

  /** Podman's `inspect --size`: SizeRw and SizeRootFs. */
  async size(nameOrId: string): Promise<ContainerSize> {
    const r = await this.run(nameOrId, { op: 'size' });
    return { SizeRw: r.sizeRw ?? 0, SizeRootFs: r.sizeRootFs ?? 0 };
  }

  /**
   * Podman's export: a tar of the container's root filesystem, made on its node and read here
   * through the export stream as the Readable is consumed (bounded; export-stream.ts).
   */
  async export(nameOrId: string): Promise<Readable> {
    const at = await this.where(nameOrId);
    const session = randomBytes(32).toString('hex');
    const started = this.run(nameOrId, { op: 'export', session }, at);
    return readExport(this.store.redis, this.blocking('berth-export'), this.store.keys, at.id, session, started);
  }

  /** Keeps `data` with the container under `key` (at most the node's bound, 1 MiB by default). */
  async addArtifact(nameOrId: string, key: string, data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
    if (bytes.length > ARTIFACT_HARD_MAX_BYTES) throw new BerthError('EINVAL', `artifact "${key}" is ${bytes.length} bytes: over ${ARTIFACT_HARD_MAX_BYTES}`, { container: nameOrId });
    await this.run(nameOrId, { op: 'artifactAdd', key, data: bytes.toString('base64') });
  }

  async getArtifact(nameOrId: string, key: string): Promise<Buffer> {
    return Buffer.from((await this.run(nameOrId, { op: 'artifactGet', key })).data ?? '', 'base64');
  }

  async removeArtifact(nameOrId: string, key: string): Promise<void> {
    await this.run(nameOrId, { op: 'artifactRemove', key });
  }

  async listArtifacts(nameOrId: string): Promise<{ key: string; size: number }[]> {
    return (await this.run(nameOrId, { op: 'artifactList' })).artifacts ?? [];
  }
}
