/**
 * The runtime's post-reboot refresh (libpod's refresh, shared/LIFECYCLE.md §1; not the seed's
 * per-container Refresh verb, which Podman removed in v1.9 and Berth does not have). Each node
 * records the boot id (/proc/sys/kernel/random/boot_id) its containers were last refreshed for.
 * A worker that starts on a node whose boot id differs resets, in one pass and before it takes
 * jobs, every container of the node the reboot left stale, through the machine (the Berth-only
 * `refresh` command: history and events show it, no producer can forge it): created and unknown
 * ones end configured, running, paused, stopping and stopped ones exited, with the reason as
 * their State.Error; runc's state and conmon's exit file are released (the ociRefresh call).
 * The new boot id is recorded only once every container is reset, so a worker that dies midway
 * leaves the pass to the next start (each container's refresh is queued once per boot id).
 * A node with no boot id recorded (its first start) records it and resets nothing.
 */
import { readFile } from 'node:fs/promises';
import { BerthError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ContainerStore } from '../store/containers.js';
import { commandIds } from '../store/keys.js';
import type { NodeRegistry } from '../store/nodes.js';
import type { CommandResult } from './commit-step.js';

/** The states a reboot leaves stale: the ones with (or that may have) something in the runtime. */
const STALE: ReadonlySet<string> = new Set(['created', 'running', 'paused', 'stopping', 'stopped', 'unknown']);

/** This host's boot id, as the kernel gives it. */
export const readBootId = async (): Promise<string> => (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();

/** A container the refresh reset: its status before and after. */
export interface RefreshedContainer {
  id: string;
  name: string;
  from: string;
  to: string;
}

export interface RefreshReport {
  /** The boot id recorded before this start (null: none was). */
  previous: string | null;
  bootId: string;
  refreshed: RefreshedContainer[];
}

export async function refreshNode(o: {
  node: string;
  store: ContainerStore;
  nodes: NodeRegistry;
  /** Applies the container's mailbox up to seq (ContainerHost.drain). */
  drain: (id: string, seq: number) => Promise<CommandResult>;
  bootId: () => Promise<string>;
  log: Logger;
}): Promise<RefreshReport> {
  const bootId = (await o.bootId()).trim();
  if (!/^[A-Za-z0-9-]{1,100}$/.test(bootId)) throw new BerthError('EINVAL', `the node's boot id must be 1 to 100 letters, digits and dashes, got ${JSON.stringify(bootId.slice(0, 100))}`);
  const previous = await o.nodes.bootId(o.node);
  const report: RefreshReport = { previous, bootId, refreshed: [] };
  if (previous === bootId) return report;
  if (previous !== null) {
    for (const id of await o.store.nodeContainerIds(o.node)) {
      const record = await o.store.get(id);
      if (!record || !STALE.has(record.status)) continue;
      const reason = `reset after a reboot of node ${o.node} (its boot id changed): the container was ${record.status}`;
      const entry = { command: 'refresh', container: id, reason };
      const seq = await o.store.enqueue(id, JSON.stringify(entry), { dedupe: `refresh:${bootId}`, commandId: commandIds.refresh(id, bootId) });
      if (seq === 0) continue; // refreshed for this boot already
      const result = await o.drain(id, seq);
      const to = result.inspect.State.Status;
      o.log.info({ container: id, node: o.node, from: record.status, to }, 'container reset after a reboot');
      report.refreshed.push({ id, name: record.name, from: record.status, to });
    }
  }
  await o.nodes.recordBootId(o.node, bootId);
  return report;
}
