/**
 * Nodes: each worker registers its node and heartbeats; a node whose heartbeat key has expired is
 * lost. Placement picks the live node with the fewest containers.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { BerthError } from '../errors.js';
import type { RuntimeDescription } from '../oci/versions.js';
import type { Keys } from './keys.js';

export interface NodeInfo {
  name: string;
  labels: Record<string, string>;
  runtime: string;
  version: string;
  concurrency: number;
  startedAt: string;
  /** Where the worker that registered last runs (absent in a record from before `berth info`). */
  host?: NodeHost;
}

/** The registering worker's host and runtime, for `berth version` and `berth info`. */
export interface NodeHost {
  hostname: string;
  /** process.platform, process.arch (`linux`, `x64`) and the kernel's release. */
  os: string;
  arch: string;
  kernel: string;
  /** Node.js's version (`v20.20.2`). */
  nodeVersion: string;
  pid: number;
  /** The runtime's and conmon's paths and versions and the node's state dirs; null when the runtime cannot say (fake). */
  runtime: RuntimeDescription | null;
}

export interface NodeStatus extends NodeInfo {
  live: boolean;
  lastHeartbeat: string | null;
  containers: number;
}

const binarySchema = z.object({ path: z.string(), version: z.string() });
const hostSchema = z.object({
  hostname: z.string(),
  os: z.string(),
  arch: z.string(),
  kernel: z.string(),
  nodeVersion: z.string(),
  pid: z.number(),
  runtime: z
    .object({ name: z.string(), runtime: binarySchema, conmon: binarySchema.nullable(), runtimeRoot: z.string(), stateDir: z.string() })
    .nullable(),
});

const nodeSchema = z.object({
  name: z.string(),
  labels: z.record(z.string(), z.string()).default({}),
  runtime: z.string(),
  version: z.string(),
  concurrency: z.number(),
  startedAt: z.string(),
  // an odd host record hides the host, not the node
  host: hostSchema.optional().catch(undefined),
});

export class NodeRegistry {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
  ) {}

  async register(info: NodeInfo): Promise<void> {
    await this.redis.hset(this.keys.nodes, info.name, JSON.stringify(info));
  }

  /** The boot id the node's containers were last refreshed for (actors/refresh-node.ts); null if none was recorded. */
  async bootId(node: string): Promise<string | null> {
    return this.redis.hget(this.keys.nodeBoots, node);
  }

  async recordBootId(node: string, bootId: string): Promise<void> {
    await this.redis.hset(this.keys.nodeBoots, node, bootId);
  }

  /** Marks the node live for `ttlMs`; the value is the time of the beat. */
  async heartbeat(node: string, ttlMs: number): Promise<void> {
    const now = new Date().toISOString();
    await this.redis.multi().set(this.keys.nodeHeartbeat(node), now, 'PX', ttlMs).hset(this.keys.nodeBeats, node, now).exec();
  }

  /** Nodes that are registered but whose heartbeat expired: name -> last heartbeat. */
  async lost(): Promise<Map<string, string | null>> {
    return new Map((await this.list()).filter((n) => !n.live).map((n) => [n.name, n.lastHeartbeat]));
  }

  async list(): Promise<NodeStatus[]> {
    const all = await this.redis.hgetall(this.keys.nodes);
    const names = Object.keys(all).sort();
    if (names.length === 0) return [];
    const p = this.redis.pipeline();
    for (const n of names) {
      p.exists(this.keys.nodeHeartbeat(n));
      p.scard(this.keys.nodeContainers(n));
    }
    p.hgetall(this.keys.nodeBeats);
    const replies = (await p.exec()) ?? [];
    const beats = (replies[2 * names.length]?.[1] ?? {}) as Record<string, string>;
    return names.flatMap((name, i) => {
      const parsed = nodeSchema.safeParse(JSON.parse(all[name] ?? 'null'));
      if (!parsed.success) return [];
      const live = Number(replies[2 * i]?.[1] ?? 0) === 1;
      const containers = Number(replies[2 * i + 1]?.[1] ?? 0);
      return [{ ...parsed.data, live, lastHeartbeat: beats[name] ?? null, containers }];
    });
  }

  /** The live node with the fewest containers (ties by name) whose labels match `constraints`. */
  async place(constraints: Record<string, string> = {}): Promise<string> {
    const wanted = Object.entries(constraints);
    const live = (await this.list()).filter((n) => n.live && wanted.every(([k, v]) => n.labels[k] === v));
    live.sort((a, b) => a.containers - b.containers || a.name.localeCompare(b.name));
    const chosen = live[0];
    if (!chosen) {
      const which = wanted.length ? ` with labels ${wanted.map(([k, v]) => `${k}=${v}`).join(', ')}` : '';
      throw new BerthError('EUNAVAIL', `no live worker node${which}: start one with \`berth worker --node NAME\` or \`berth up\``);
    }
    return chosen.name;
  }

  async isLive(node: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.nodeHeartbeat(node))) === 1;
  }
}
