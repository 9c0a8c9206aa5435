/**
 * The API's `info()`: what `berth version` and `berth info` show, as Podman's `info` does for its
 * host: Redis (from its INFO), the nodes the workers registered (their Berth, runtime and conmon
 * versions, state dirs), and the containers Berth keeps, counted by state.
 */
import type { Inspect } from '../actors/inspect.js';
import type { NodeStatus } from '../store/nodes.js';

export interface RedisInfo {
  /** `redis_version` (`7.0.15`). */
  version: string;
  /** `standalone`, `cluster` or `sentinel`. */
  mode: string;
  /** `master` or `slave`. */
  role: string;
  os: string;
  uptimeSeconds: number;
  connectedClients: number;
  usedMemory: number;
  usedMemoryHuman: string;
  aofEnabled: boolean;
}

export interface ContainerCounts {
  number: number;
  running: number;
  paused: number;
  /** Every container neither running nor paused (Podman's count). */
  stopped: number;
}

export interface SystemInfo {
  redis: RedisInfo;
  /** Every registered node, live or lost, by name. */
  nodes: NodeStatus[];
  store: { prefix: string; containers: ContainerCounts };
}

/** Redis's INFO text (`key:value` lines under `# Section` headers) as a map. */
export function parseRedisInfoText(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) out.set(line.slice(0, at), line.slice(at + 1));
  }
  return out;
}

export function redisInfoFrom(text: string): RedisInfo {
  const m = parseRedisInfoText(text);
  const num = (key: string) => {
    const n = Number(m.get(key));
    return Number.isFinite(n) ? n : 0;
  };
  return {
    version: m.get('redis_version') ?? 'unknown',
    mode: m.get('redis_mode') ?? 'standalone',
    role: m.get('role') ?? 'unknown',
    os: m.get('os') ?? 'unknown',
    uptimeSeconds: num('uptime_in_seconds'),
    connectedClients: num('connected_clients'),
    usedMemory: num('used_memory'),
    usedMemoryHuman: m.get('used_memory_human') ?? '',
    aofEnabled: m.get('aof_enabled') === '1',
  };
}

export function countContainers(all: readonly Inspect[]): ContainerCounts {
  const running = all.filter((c) => c.State.Status === 'running').length;
  const paused = all.filter((c) => c.State.Status === 'paused').length;
  return { number: all.length, running, paused, stopped: all.length - running - paused };
}
