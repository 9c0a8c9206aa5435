/**
 * A restart policy's start when the node's worker starts again (always, unless-stopped not
 * stopped by a user): an internal `start` in the container's mailbox, applied by the waker, once
 * per record version (a worker restarted again meanwhile queues the same command, not a second).
 */
import type { ContainerStore } from '../store/containers.js';
import { commandIds } from '../store/keys.js';
import type { Waker } from './waker.js';

export async function comeBack(store: ContainerStore, waker: Waker, id: string, version: number): Promise<void> {
  const entry = { command: 'start', container: id, internal: true };
  const seq = await store.enqueue(id, JSON.stringify(entry), { commandId: commandIds.comeBack(id, version) });
  if (seq !== 0) waker.wake(id, seq, entry);
}
