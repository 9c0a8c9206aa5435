/**
 * Invariant 1 at a worker's start: Berth's belief and the runtime's truth are made to agree for
 * every container of the node. Runs before the worker takes jobs:
 *  - a runc container Berth does not know (its create never committed, or its record is gone)
 *    is deleted, so nothing runs that nobody supervises;
 *  - a container Berth believes live (created, running, paused, stopping) that runc no longer
 *    has, with no exit recorded (conmon killed, host rebooted), gets an exit with code -1 and the
 *    reason, as Podman does when conmon dies without writing an exit file.
 * Exits conmon did record are reported by the exit monitor at its start.
 */
import type { Logger } from '../log.js';
import type { ExitRecord, OciRuntime } from '../oci/types.js';
import type { ContainerStore } from '../store/containers.js';

const LIVE = new Set(['created', 'running', 'paused', 'stopping']);

export interface ReconcileReport {
  orphansDeleted: string[];
  exitsLost: string[];
}

export async function reconcileNode(o: {
  node: string;
  store: ContainerStore;
  runtime: OciRuntime;
  log: Logger;
  onLostExit: (exit: ExitRecord) => Promise<void>;
}): Promise<ReconcileReport> {
  const report: ReconcileReport = { orphansDeleted: [], exitsLost: [] };
  const [ids, inRuntime] = await Promise.all([o.store.nodeContainerIds(o.node), o.runtime.list()]);
  const known = new Set(ids);
  for (const c of inRuntime) {
    if (known.has(c.id)) continue;
    const record = await o.store.get(c.id);
    if (record && record.status !== 'removed') continue; // placed on this node by another path
    o.log.warn({ container: c.id, status: c.status }, 'deleting a runc container Berth does not know');
    await o.runtime.delete(c.id, { force: true });
    await o.runtime.purge(c.id);
    report.orphansDeleted.push(c.id);
  }
  const present = new Set(inRuntime.map((c) => c.id));
  for (const id of ids) {
    const record = await o.store.get(id);
    if (!record || !LIVE.has(record.status) || present.has(id)) continue;
    if (await o.runtime.readExit(id)) continue; // the monitor reports it
    o.log.warn({ container: id, status: record.status }, 'runc no longer has this container and no exit was recorded');
    report.exitsLost.push(id);
    await o.onLostExit({ id, code: -1, at: new Date().toISOString(), oomKilled: false });
  }
  return report;
}
