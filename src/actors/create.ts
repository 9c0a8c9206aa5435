/**
 * The create command's commit: validates the spec on the node that will run it (the rootfs must
 * exist there, within the node's rootfs roots, and the command in it), then writes the record in
 * state configured, with the rootfs as resolved (symlinks followed). A create that fails changes
 * nothing: the id's mailbox is dropped and the name stays free.
 */
import { BerthError, isRedisUnavailable, toBerthError } from '../errors.js';
import { confineRootfs, type RootfsPolicy } from '../oci/rootfs-policy.js';
import { checkRootfs, resolveCommand } from '../oci/validate.js';
import { parseSpec } from '../spec.js';
import type { HealthConfig } from '../healthcheck.js';
import type { ContainerStore } from '../store/containers.js';
import type { CommandResult } from './commit-step.js';
import { createCommit } from './create-commit.js';
import { inspectFrom } from './inspect.js';

export async function createContainer(
  store: ContainerStore,
  node: string,
  id: string,
  seq: number,
  jobId: string,
  rootfsPolicy: RootfsPolicy,
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
    const parsed = parseSpec(entry.spec, defaultName(id));
    await checkRootfs(parsed.rootfs);
    const spec = { ...parsed, rootfs: await confineRootfs(parsed.rootfs, rootfsPolicy, node) };
    await resolveCommand(spec.rootfs, spec.command[0]!, spec.env);
    if (spec.healthcheck) await checkHealthCommand(spec.rootfs, spec.healthcheck, spec.env);
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
