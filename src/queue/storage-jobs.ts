/**
 * A node's answers to storage jobs (storage/ops.ts): mount, unmount, size and artifacts of a
 * container it hosts, by the seed's rules (LIFECYCLE.md §2.9, §2.11):
 * - mount: no state check (a container being removed is refused, as current Podman); mounts an
 *   image container's overlay when needed and counts the mount; a --rootfs container's root is
 *   its rootfs dir, always there;
 * - unmount: refused while running or paused, or with exec sessions; drops one counted mount and
 *   unmounts when none is left and the runtime does not hold the root (created, stopped: the
 *   cleanup releases it); with no counted mount while the runtime holds it, "still in use";
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
import { inspectFrom } from '../actors/inspect.js';
import { BerthError } from '../errors.js';
import { storagePaths } from '../oci/layout.js';
import { describeIssues } from '../spec.js';
import { treeBytes } from '../storage/disk-usage.js';
import { storageOpSchema, type StorageOp, type StorageResult } from '../storage/ops.js';
import { isMounted, mountCount, mountOverlay, setMountCount, unmountOverlay, withView } from '../storage/overlay.js';
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

const HELD_BY_RUNTIME = new Set(['created', 'stopping', 'stopped']);

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
  switch (op.op) {
    case 'mount': {
      if (record.status === 'removing') throw new BerthError('ECTRSTATE', `cannot mount container ${name} as it is being removed`, { container: name, command: 'mount', state: record.status });
      if (!layers) return { path: rootfs };
      await mountOverlay(p, layers);
      await setMountCount(p, (await mountCount(p)) + 1);
      return { path: p.merged };
    }
    case 'unmount': {
      const inspect = inspectFrom(record);
      const state = record.status;
      if (state === 'running' || state === 'paused') throw new BerthError('ECTRSTATE', `cannot unmount storage for container ${name} as it is running or paused`, { container: name, command: 'unmount', state });
      if (inspect.ExecIDs.length > 0) throw new BerthError('ECTRSTATE', `container ${name} has active exec sessions, refusing to unmount`, { container: name, command: 'unmount', state });
      if (!layers) return {};
      const count = await mountCount(p);
      if (HELD_BY_RUNTIME.has(state)) {
        if (count === 0 && op.force !== true) throw new BerthError('EINTERNAL', `can't unmount ${name} last mount, it is still in use`, { container: name, command: 'unmount', state });
        await setMountCount(p, count - 1);
        return {};
      }
      await setMountCount(p, count - 1);
      if (count <= 1 || op.force === true) {
        await setMountCount(p, 0);
        await unmountOverlay(p);
      }
      return {};
    }
    case 'size': {
      const sizeRw = layers ? await treeBytes(p.upper) : 0;
      if (!layers) return { sizeRw, sizeRootFs: await treeBytes(rootfs) };
      if (await isMounted(p.merged)) return { sizeRw, sizeRootFs: await treeBytes(p.merged) };
      await mkdir(p.upper, { recursive: true });
      return { sizeRw, sizeRootFs: await withView(p.dir, [...layers, p.upper], treeBytes) };
    }
    case 'export': {
      // Podman 4 refuses a container being removed; it mounts one that is not (here: a read-only view)
      if (record.status === 'removing') throw new BerthError('ECTRSTATE', `cannot mount container ${name} as it is being removed`, { container: name, command: 'export', state: record.status });
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
