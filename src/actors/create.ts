/**
 * The create command's commit: validates the spec on the node that will run it (the rootfs must
 * exist there, within the node's rootfs roots, and the command in it), then writes the record in
 * state configured, with the rootfs as resolved (symlinks followed). A create that fails changes
 * nothing: the id's mailbox is dropped and the name stays free.
 */
import { BerthError, isRedisUnavailable, toBerthError } from '../errors.js';
import { confineRootfs, type RootfsPolicy } from '../oci/rootfs-policy.js';
import { checkRootfs, resolveCommand } from '../oci/validate.js';
import type { ImageResolver } from '../images/types.js';
import { storagePaths } from '../oci/layout.js';
import { normaliseSpec, validateSpec, type ContainerSpec, type ContainerSpecData } from '../spec.js';
import { specFromImage } from '../storage/image-spec.js';
import { healthcheckFromImage, healthcheckSchema, type HealthConfig } from '../healthcheck.js';
import type { ContainerStore } from '../store/containers.js';
import type { CommandResult } from './commit-step.js';
import { createCommit } from './create-commit.js';
import { inspectFrom } from './inspect.js';
import { resolveRequirements } from './requirements.js';

export async function createContainer(
  store: ContainerStore,
  node: string,
  id: string,
  seq: number,
  jobId: string,
  rootfsPolicy: RootfsPolicy,
  storage: NodeStorage = {},
): Promise<CommandResult> {
  const stored = await store.result(id, seq);
  if (stored) return JSON.parse(stored) as CommandResult;
  const raw = await store.mailboxEntry(id, seq);
  if (raw === null) {
    // already applied and its result aged out, or never queued
    const record = await store.get(id);
    if (record) return { ok: true, inspect: inspectFrom(record) };
    throw new BerthError('ENOCTR', `create command ${seq} of container ${id} is not queued`, { container: id });
  }
  try {
    const entry = JSON.parse(raw) as { spec?: unknown; name?: string };
    const data = validateSpec(entry.spec);
    const made = data.image === undefined ? await fromRootfs(data, id, node, rootfsPolicy) : await fromImage(data, data.image, id, storage);
    const spec = made.requires ? { ...made, requires: await resolveRequirements(store, id, made.requires) } : made;
    const { args, result } = createCommit({ id, node, spec, seq, jobId, at: new Date().toISOString() });
    await store.create(args);
    return result;
  } catch (err) {
    const e = toBerthError(err, 'EINVAL');
    // Redis away: the create stays queued for the job's retry (which finds it done if it was)
    if (!isRedisUnavailable(e)) await store.abandonCreate(id);
    throw e;
  }
}

/** What a node has for containers made from images (worker options `images`; the runtime's storage dir). */
export interface NodeStorage {
  images?: ImageResolver;
  /** `<stateDir>/storage` (RuntimePaths.storage). */
  dir?: string;
}

async function fromRootfs(data: ContainerSpecData, id: string, node: string, rootfsPolicy: RootfsPolicy): Promise<ContainerSpec> {
  const parsed = normaliseSpec(data, defaultName(id));
  await checkRootfs(parsed.rootfs);
  const spec = { ...parsed, rootfs: await confineRootfs(parsed.rootfs, rootfsPolicy, node) };
  await resolveCommand(spec.rootfs, spec.command[0]!, spec.env);
  if (spec.healthcheck) await checkHealthCommand(spec.rootfs, spec.healthcheck, spec.env);
  return spec;
}

/**
 * The image resolved on this node (pulled first when it lacks it), its config under the create's
 * flags; the rootfs is the container's own merged dir, mounted at init (the runtime's create).
 */
async function fromImage(data: ContainerSpecData, ref: string, id: string, storage: NodeStorage): Promise<ContainerSpec> {
  if (!storage.images) throw new BerthError('EUNSUPPORTED', 'images are not available on this node');
  if (!storage.dir) throw new BerthError('EUNSUPPORTED', "images are not available on this node: its runtime keeps no container storage");
  const image = await storage.images.ensure(ref);
  // the image's HEALTHCHECK, unless the create gives one or --no-healthcheck (Podman)
  const fromImageConfig = data.healthcheck || data.noHealthcheck ? null : healthcheckFromImage(image.config.Healthcheck);
  const withHealth = fromImageConfig ? { ...data, healthcheck: healthcheckSchema.parse(fromImageConfig) } : data;
  return specFromImage(withHealth, ref, image, defaultName(id), storagePaths(storage.dir, id).merged);
}

/** Podman generates adjective_noun names; Berth uses a short, recognisable form of the Id. */
export function defaultName(id: string): string {
  return `berth-${id.slice(0, 12)}`;
}

/** A health check the container cannot run is refused at create (the string form needs /bin/sh). */
async function checkHealthCommand(rootfs: string, h: HealthConfig, env: readonly string[]): Promise<void> {
  await resolveCommand(rootfs, h.test[0]!, env).catch((err: unknown) => {
    const why = h.shell ? `the health check's string form runs /bin/sh -c, and ${rootfs} has no /bin/sh (give the command as a JSON array)` : `the health check's command "${h.test[0]}" is not found in rootfs ${rootfs}`;
    throw new BerthError('EINVAL', `invalid container spec: healthcheck.test: ${why}`, { cause: err });
  });
}
