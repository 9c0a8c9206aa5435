/**
 * Dependencies between containers (Podman's `--requires`, LIFECYCLE.md §3): a container's spec keeps
 * the Ids of the containers it requires, fixed at create. This file holds the rules every node
 * applies whoever queued the command, reading the other containers' records only (never their
 * leases: a command of one container never waits on another's):
 *
 * - create: each requirement must exist (by name or Id, resolved to its Id), must not be the
 *   container itself, and must not close a cycle (with Ids fixed at create only a self-reference
 *   can, but the graph is walked anyway);
 * - init, start and restart (Podman's non-recursive check): every requirement must be running,
 *   else ECTRSTATE "some dependencies of container X are not started: ..." (the recursive start is
 *   the client's, queue/requirements-client.ts);
 * - remove: refused while containers that require it exist, naming them (Podman's words).
 */
import { BerthError } from '../errors.js';
import type { ContainerStore } from '../store/containers.js';
import type { ContainerRecord } from '../store/records.js';

/** The commands whose requirements must run (Podman's checkDependenciesAndHandleError). */
const NEEDS_RUNNING: ReadonlySet<string> = new Set(['init', 'start', 'restart']);

export function requirementsOf(record: Pick<ContainerRecord, 'spec'>): readonly string[] {
  return record.spec.requires ?? [];
}

/**
 * Every container `root` requires, directly or not, each after its own requirements (dependency
 * order: the first can start first); `root` itself is not in it. A cycle (or a requirement gone)
 * is a clear error.
 */
export async function requirementOrder(store: ContainerStore, root: string): Promise<ContainerRecord[]> {
  const order: ContainerRecord[] = [];
  const done = new Set<string>();
  const onPath = new Set<string>();
  const visit = async (id: string, by: string): Promise<void> => {
    if (done.has(id)) return;
    if (onPath.has(id)) throw cycleError();
    const record = await store.get(id);
    if (!record || record.status === 'removed') {
      throw new BerthError('ENOCTR', `container ${by} depends on container ${id} not found: no such container`, { container: by });
    }
    onPath.add(id);
    for (const r of requirementsOf(record)) await visit(r, record.name);
    onPath.delete(id);
    done.add(id);
    if (id !== root) order.push(record);
  };
  await visit(root, root);
  return order;
}

const cycleError = () => new BerthError('EINVAL', 'cycle found in container dependency graph');

/**
 * A create's `requires` (names or Ids) as Ids: each must name an existing container other than
 * `id`, and none may lead back to `id`.
 */
export async function resolveRequirements(store: ContainerStore, id: string, requires: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const r of requires) {
    let found: string;
    try {
      found = await store.resolve(r);
    } catch (err) {
      if (err instanceof BerthError && err.code === 'ENOCTR') throw notValid(r, `no container with name or ID "${r}" found: no such container`);
      throw err;
    }
    const record = await store.get(found);
    if (!record || record.status === 'removed') throw notValid(r, `no container with name or ID "${r}" found: no such container`);
    if (found === id) throw new BerthError('EINVAL', `"${r}" is the container itself: it cannot require itself (cycle found in container dependency graph)`);
    if (!ids.includes(found)) ids.push(found);
  }
  for (const r of ids) {
    const order = await requirementOrder(store, r);
    if (order.some((c) => c.id === id)) throw cycleError();
  }
  return ids;
}

const notValid = (r: string, why: string) =>
  new BerthError('ENOCTR', `"${r}" is not a valid container, cannot be used as a dependency: ${why}`, { container: r });

/** The containers (not removed) that require `id`, oldest first. */
export async function dependentsOf(store: ContainerStore, id: string): Promise<ContainerRecord[]> {
  const all = await store.list();
  return all.filter((c) => c.status !== 'removed' && c.id !== id && requirementsOf(c).includes(id));
}

/**
 * Why a command on `record` must be refused for its dependencies, or null: a start (init,
 * restart) whose requirements do not all run, a remove while dependents exist.
 */
export async function dependencyRefusal(store: ContainerStore, record: ContainerRecord, command: string): Promise<BerthError | null> {
  if (NEEDS_RUNNING.has(command) && requirementsOf(record).length > 0) {
    const reqs = await store.records(requirementsOf(record));
    const running = new Set(reqs.filter((r) => r.status === 'running').map((r) => r.id));
    const missing = requirementsOf(record).filter((r) => !running.has(r));
    if (missing.length === 0) return null;
    return new BerthError('ECTRSTATE', `some dependencies of container ${record.name} are not started: ${missing.join(', ')}: container state improper`, {
      container: record.name,
      command,
      state: record.status,
    });
  }
  if (command === 'remove') {
    const dependents = await dependentsOf(store, record.id);
    if (dependents.length === 0) return null;
    return dependentsError(record, dependents);
  }
  return null;
}

/** Podman's refusal of an rm while others require the container. */
export function dependentsError(record: Pick<ContainerRecord, 'id' | 'name'>, dependents: readonly Pick<ContainerRecord, 'id' | 'name'>[]): BerthError {
  const list = dependents.map((d) => `${d.name} (${d.id})`).join(', ');
  return new BerthError('EEXIST', `container ${record.name} has dependent containers which must be removed before it: ${list}: container already exists`, {
    container: record.name,
    command: 'remove',
  });
}
