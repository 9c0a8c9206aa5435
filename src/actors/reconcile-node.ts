/**
 * Invariant 1 at a worker's start: Berth's belief and the runtime's truth are made to agree for
 * every container of the node. Runs before the worker takes jobs:
 *  - a runc container Berth does not know (its create never committed, or its record is gone)
 *    is deleted, so nothing runs that nobody supervises;
 *  - a container Berth believes live (created, running, paused, stopping) that runc no longer
 *    has, with no exit recorded (conmon killed, host rebooted), gets an exit with code -1 and the
 *    reason, as Podman does when conmon dies without writing an exit file.
 * Exits conmon did record are reported by the exit monitor at its start.
 *
 * Sibling workers of the node keep working meanwhile, so a container is judged lost only from a
 * runc view newer than its record: records are read before `runc list` and again after it, and a
 * container whose record changed in between (a sibling created, started or cleaned it up) is left
 * to the worker that changed it. With the record unchanged across the list, a live record and no
 * runc container is a real loss: runc gets a container before Berth commits it created, and loses
 * it only by a delete that Berth commits first. The exit carries the run it ends, so even a late
 * report cannot end a newer run.
 */
import type { Logger } from '../log.js';
import type { ExitRecord, OciRuntime } from '../oci/types.js';
import type { ContainerStore } from '../store/containers.js';
import { persistedRestartState, persistedRun } from './snapshot.js';
import { shouldComeBack } from '../machines/index.js';

const LIVE = new Set(['created', 'running', 'paused', 'stopping']);

export interface ReconcileReport {
  orphansDeleted: string[];
  exitsLost: string[];
  /** always and unless-stopped containers (not stopped by a user) started again. */
  broughtBack: string[];
}

export async function reconcileNode(o: {
  node: string;
  store: ContainerStore;
  runtime: OciRuntime;
  log: Logger;
  onLostExit: (exit: ExitRecord) => Promise<void>;
  /** Starts a container whose restart policy brings it back with its node's worker (restart policies). */
  onComeBack?: (id: string, version: number) => Promise<void>;
}): Promise<ReconcileReport> {
  const report: ReconcileReport = { orphansDeleted: [], exitsLost: [], broughtBack: [] };
  const ids = await o.store.nodeContainerIds(o.node);
  const before = new Map((await o.store.records(ids)).map((r) => [r.id, r]));
  const inRuntime = await o.runtime.list();
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
  const suspects = [...before.values()].filter((r) => LIVE.has(r.status) && !present.has(r.id));
  const after = new Map((await o.store.records(suspects.map((r) => r.id))).map((r) => [r.id, r]));
  for (const was of suspects) {
    const id = was.id;
    const now = after.get(id);
    if (!now || now.version !== was.version) {
      o.log.debug({ container: id, version: was.version, now: now?.version ?? null }, 'changed while runc was listed: left to the worker that changed it');
      continue;
    }
    const run = persistedRun(now.snapshot);
    const recorded = await o.runtime.readExit(id);
    if (recorded && (recorded.run === undefined || recorded.run === run)) continue; // the monitor reports it
    o.log.warn({ container: id, status: now.status, run }, 'runc no longer has this container and no exit was recorded');
    report.exitsLost.push(id);
    await o.onLostExit({ id, code: -1, at: new Date().toISOString(), oomKilled: false, ...(run === undefined ? {} : { run }) });
  }
  // restart policies: always, and unless-stopped unless a user stopped it, come back with the
  // node's worker (a live one lost above comes back through its exit and the policy instead)
  for (const r of before.values()) {
    const state = persistedRestartState(r.snapshot);
    if (!o.onComeBack || !state || !shouldComeBack(r.status, state)) continue;
    o.log.info({ container: r.id, policy: state.restart?.policy }, 'restart policy: starting it again with its node');
    report.broughtBack.push(r.id);
    await o.onComeBack(r.id, r.version);
  }
  return report;
}
