/**
 * A node's answers to storage jobs (storage/ops.ts): size, export and artifacts of a container it
 * hosts, by the seed's rules (LIFECYCLE.md §2.11). They read, or write side files, and leave the
 * state alone, so they run outside the container's mailbox; every one refuses a container being
 * removed (as Podman 4's export: "cannot mount container X as it is being removed"), and a
 * removed one is "container <id> has been removed". (Mount and unmount are machine commands.)
 * - size: SizeRw is the upper dir's bytes, SizeRootFs the whole root's (the merged dir when
 *   mounted, else a read-only overlay of the layers and the upper dir, mounted for the count);
 * - export: a tar of the root (the merged dir, a read-only view of it when it is not mounted, or
 *   the rootfs dir) through an export stream to the client (export-stream.ts);
 * - artifacts: files in the container's storage dir, mode 0740 as the seed's, each at most
 *   `artifactMaxBytes`; gone with the container (rm purges the storage dir). A removed container
 *   is "container <id> has been removed".
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { storagePaths } from '../oci/layout.js';
import { describeIssues } from '../spec.js';
import { treeBytes } from '../storage/disk-usage.js';
import { storageOpSchema, type StorageOp, type StorageResult } from '../storage/ops.js';
import { isMounted, withView } from '../storage/overlay.js';
import type { ContainerStore } from '../store/containers.js';
import type { Keys } from '../store/keys.js';
import type { ContainerRecord } from '../store/records.js';
import { shipExport } from './export-stream.js';

export interface StorageJobOptions {
  store: ContainerStore;
  keys: Keys;
  node: string;
  /** `<stateDir>/storage` (RuntimePaths.storage); none: this node keeps no storage. */
  dir: string | undefined;
  artifactMaxBytes: number;
}

/** The refusal's verb per op (export's is Podman 4's "cannot mount"). */
const VERBS: Record<StorageOp['op'], string> = { size: 'measure', export: 'mount', artifactAdd: 'add an artifact to', artifactGet: 'get an artifact of', artifactRemove: 'remove an artifact of', artifactList: 'list the artifacts of' };

export function parseStorageOp(data: unknown): StorageOp {
  const parsed = storageOpSchema.safeParse(data);
  if (!parsed.success) throw new BerthError('EINVAL', `invalid storage job: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

async function recordOf(o: StorageJobOptions, id: string): Promise<ContainerRecord> {
  const record = await o.store.get(id);
  if (!record) throw new BerthError('ENOCTR', `no such container ${id}`, { container: id });
  if (record.status === 'removed') throw new BerthError('ENOCTR', `container ${id} has been removed`, { container: id });
  if (record.node !== o.node) throw new BerthError('EINVAL', `container ${id} lives on node ${record.node}, not ${o.node}`, { container: id });
  return record;
}

export async function runStorageOp(o: StorageJobOptions, data: unknown): Promise<StorageResult> {
  const op = parseStorageOp(data);
  const record = await recordOf(o, op.container);
  if (!o.dir) throw new BerthError('EUNSUPPORTED', `node ${o.node} keeps no container storage`);
  const p = storagePaths(o.dir, record.id);
  const { layers, rootfs } = record.spec;
  const name = record.name;
  // rm purges the storage dir: nothing of it is read or written once the removal has begun
  if (record.status === 'removing') throw new BerthError('ECTRSTATE', `cannot ${VERBS[op.op]} container ${name} as it is being removed`, { container: name, command: op.op, state: record.status });
  switch (op.op) {
    case 'size': {
      const sizeRw = layers ? await treeBytes(p.upper) : 0;
      if (!layers) return { sizeRw, sizeRootFs: await treeBytes(rootfs) };
      if (await isMounted(p.merged)) return { sizeRw, sizeRootFs: await treeBytes(p.merged) };
      await mkdir(p.upper, { recursive: true });
      return { sizeRw, sizeRootFs: await withView(p.dir, [...layers, p.upper], treeBytes) };
    }
    case 'export': {
      // Podman mounts a container that is not mounted (here: a read-only view)
      const ship = (root: string) => shipExport(o.store.redis, o.keys, record.id, op.session, root);
      if (!layers) return { exitCode: await ship(rootfs) };
      if (await isMounted(p.merged)) return { exitCode: await ship(p.merged) };
      await mkdir(p.upper, { recursive: true });
      return { exitCode: await withView(p.dir, [...layers, p.upper], ship) };
    }
    case 'artifactAdd': {
      const bytes = Buffer.from(op.data, 'base64');
      if (bytes.length > o.artifactMaxBytes) throw new BerthError('EINVAL', `artifact "${op.key}" is ${bytes.length} bytes: over this node's bound of ${o.artifactMaxBytes}`, { container: name });
      await mkdir(p.artifacts, { recursive: true, mode: 0o740 });
      await writeFile(join(p.artifacts, op.key), bytes, { mode: 0o740 });
      return {};
    }
    case 'artifactGet': {
      const bytes = await readFile(join(p.artifacts, op.key)).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') throw new BerthError('EINVAL', `container ${name} has no artifact "${op.key}"`, { container: name });
        throw err;
      });
      return { data: bytes.toString('base64') };
    }
    case 'artifactRemove': {
      await rm(join(p.artifacts, op.key), { force: true });
      return {};
    }
    case 'artifactList': {
      const keys = (await readdir(p.artifacts).catch(() => [] as string[])).sort();
      return { artifacts: await Promise.all(keys.map(async (key) => ({ key, size: (await stat(join(p.artifacts, key))).size }))) };
    }
  }
}
