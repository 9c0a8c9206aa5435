/**
 * The client's side of dependencies (issue 12): the recursive start and `rm --depend`.
 *
 * Why the client orchestrates: a start whose requirements do not run must start them first, and
 * they may live on other nodes, under other leases. Waiting for them inside C's drain would hold
 * C's lease (and C's node's worker slot) while another container's command runs, which can
 * deadlock a small worker pool and stalls C's mailbox. So no command ever waits on another
 * container: the client walks the requirements in dependency order (actors/requirements.ts) and
 * queues each start to its own node's queue, one after the other, each under its own lease, and
 * C's start last. The node applying C's start only checks (reading records) that every
 * requirement runs, Podman's non-recursive rule, which also holds for a start queued by any other
 * producer. A requirement that cannot start fails C's start, naming it; C is not started.
 *
 * `rm --depend` (Podman 4): the containers that require the target, transitively, are removed
 * first, each after every container that requires it, then the target.
 */
import { BerthError, toBerthError } from '../errors.js';
import type { Inspect } from '../actors/inspect.js';
import { dependentsOf, requirementOrder } from '../actors/requirements.js';
import type { ContainerStore } from '../store/containers.js';

export interface StartDeps {
  store: ContainerStore;
  /** Queues one container's start (its own node's queue) and resolves once it runs. */
  startOne(id: string): Promise<Inspect>;
}

/** Starts `name`'s requirements that do not run (dependency order, recursively), then `name`. */
export async function startWithRequirements(deps: StartDeps, name: string): Promise<Inspect> {
  const id = await deps.store.resolve(name);
  for (const r of await requirementOrder(deps.store, id)) {
    if (r.status === 'running') continue;
    try {
      await deps.startOne(r.id);
    } catch (err) {
      const e = toBerthError(err);
      throw new BerthError(e.code, `a dependency of container ${name} failed to start: container ${r.name}: ${e.message}`, { container: name, command: 'start', cause: err });
    }
  }
  return deps.startOne(id);
}

export interface RemoveDeps {
  store: ContainerStore;
  /** Removes one container (without --depend) and resolves once it is removed. */
  removeOne(id: string): Promise<Inspect>;
}

/**
 * Removes every container that requires `name` (transitively; each after the ones requiring it),
 * then `name`; resolves to the inspect objects of all, in the order removed (`name` last).
 */
export async function removeWithDependents(deps: RemoveDeps, name: string): Promise<Inspect[]> {
  const id = await deps.store.resolve(name);
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = async (at: string): Promise<void> => {
    if (seen.has(at)) return;
    seen.add(at);
    for (const d of await dependentsOf(deps.store, at)) await visit(d.id);
    order.push(at);
  };
  await visit(id);
  const removed: Inspect[] = [];
  for (const c of order) removed.push(await deps.removeOne(c));
  return removed;
}
