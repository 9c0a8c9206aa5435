/**
 * One pass over a node's containers for what a dead worker left half done: the effects it
 * committed but did not run (a stop's deadline, a cleanup request), and commands in a mailbox
 * whose job is gone (a wake-up job with the id Berth's own producers use for that seq drains
 * them; if that job still exists, adding it again does nothing).
 */
import type { Queue } from 'bullmq';
import type { ContainerHost } from '../actors/host.js';
import type { ContainerStore } from '../store/containers.js';
import { addWakeJob } from './jobs.js';

export async function recoverNodeOnce(node: string, store: ContainerStore, host: ContainerHost, queue: Queue): Promise<void> {
  for (const id of await store.nodeContainerIds(node)) {
    const record = await store.get(id);
    if (!record) continue;
    if (record.effects) await host.resumeEffects(record);
    const pending = await store.lastPending(id, record.applied);
    if (!pending) continue;
    const entry = JSON.parse(pending.entry) as { command: string };
    await addWakeJob(queue, id, pending.seq, entry);
  }
}
