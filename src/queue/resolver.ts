/**
 * A client's memory of where its containers are: name or Id -> (Id, node). A container never
 * changes node, and a name held by a live container stays that container's until it is removed,
 * so a command to a container the client has addressed before needs no lookup (three round trips
 * less). A stale name (its container removed, the name taken again) is found out by the enqueue
 * itself, which refuses a removed container with ENOCTR: the caller forgets the name and resolves
 * it afresh. Only exact names and full Ids are kept, never Id prefixes (a new container can make a
 * prefix ambiguous). Bounded: the least recently used entry goes first.
 */
import { BerthError, noSuchContainer } from '../errors.js';
import type { ContainerStore } from '../store/containers.js';

export interface Located {
  id: string;
  node: string;
  /** From memory: an ENOCTR for it may mean the name moved on (forget it, resolve again). */
  remembered: boolean;
}

export class Resolver {
  private readonly known = new Map<string, { id: string; node: string }>();

  constructor(
    private readonly store: ContainerStore,
    private readonly max = 10_000,
  ) {}

  async locate(nameOrId: string): Promise<Located> {
    const hit = this.known.get(nameOrId);
    if (hit) {
      this.keep(nameOrId, hit);
      return { ...hit, remembered: true };
    }
    const id = await this.store.resolve(nameOrId);
    const node = await this.store.nodeOf(id);
    if (node === null) throw noSuchContainer(nameOrId);
    const exact = id === nameOrId || !id.startsWith(nameOrId);
    if (exact) this.keep(nameOrId, { id, node });
    return { id, node, remembered: false };
  }

  /** What a create just made: its name and Id both lead to it. */
  remember(name: string, id: string, node: string): void {
    this.keep(name, { id, node });
    this.keep(id, { id, node });
  }

  /** Remembers an entry as the most recently used; the least recently used beyond `max` goes. */
  private keep(key: string, at: { id: string; node: string }): void {
    this.known.delete(key);
    this.known.set(key, at);
    if (this.known.size > this.max) this.known.delete(this.known.keys().next().value!);
  }

  forget(nameOrId: string): void {
    this.known.delete(nameOrId);
  }
}
