/**
 * What `berth version` and `berth info` print, from the client's own facts and the API's
 * `info()`: Podman's shapes (version: `Client` and server sections with PascalCase keys in JSON;
 * info: camelCase sections, YAML by default).
 */
import { arch, platform } from 'node:os';
import { firstLine } from '../oci/versions.js';
import type { SystemInfo } from '../queue/system-info.js';
import type { NodeStatus } from '../store/nodes.js';

/** Go's names for Node's architectures, as Podman prints them (`linux/amd64`). */
const GO_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

export function osArch(os: string = platform(), cpu: string = arch()): string {
  return `${os}/${GO_ARCH[cpu] ?? cpu}`;
}

export interface ClientFacts {
  version: string;
  nodeVersion: string;
  os: string;
  arch: string;
  /** The Redis the client talks to, without its password. */
  redis: string;
  stateDir: string;
}

export function clientFacts(version: string, redis: string, stateDir: string): ClientFacts {
  return { version, nodeVersion: process.version, os: platform(), arch: arch(), redis, stateDir };
}

interface VersionNode {
  Name: string;
  Version: string;
  OsArch: string;
  Runtime: { Name: string; Path: string; Version: string };
  Conmon: { Path: string; Version: string } | null;
}

export interface VersionReport {
  Client: { Version: string; NodeVersion: string; OsArch: string; Os: string };
  Redis?: { Version: string; Mode: string };
  /** The live nodes' workers. */
  Nodes?: VersionNode[];
}

function versionNode(n: NodeStatus): VersionNode {
  const rt = n.host?.runtime ?? null;
  return {
    Name: n.name,
    Version: n.version,
    OsArch: n.host ? osArch(n.host.os, n.host.arch) : '',
    Runtime: { Name: n.runtime, Path: rt?.runtime.path ?? '', Version: rt?.runtime.version ?? '' },
    Conmon: rt?.conmon ? { Path: rt.conmon.path, Version: rt.conmon.version } : null,
  };
}

/** `info` absent: Redis could not be asked, and only the client is known. */
export function versionReport(client: ClientFacts, info?: SystemInfo): VersionReport {
  const Client = { Version: client.version, NodeVersion: client.nodeVersion, OsArch: osArch(client.os, client.arch), Os: client.os };
  if (!info) return { Client };
  return {
    Client,
    Redis: { Version: info.redis.version, Mode: info.redis.mode },
    Nodes: info.nodes.filter((n) => n.live).map(versionNode),
  };
}

function section(rows: readonly [string, string][]): string[] {
  return rows.map(([k, v]) => `${`${k}:`.padEnd(14)}${v}`);
}

/** Podman's `version` text: one block per section, a blank line between. */
export function formatVersionText(r: VersionReport): string {
  const blocks = [section([['Client', 'Berth'], ['Version', r.Client.Version], ['Node Version', r.Client.NodeVersion], ['OS/Arch', r.Client.OsArch]])];
  if (r.Redis) blocks.push(section([['Server', 'Redis'], ['Version', r.Redis.Version], ['Mode', r.Redis.Mode]]));
  for (const n of r.Nodes ?? []) {
    const runtime = n.Runtime.Version ? `${firstLine(n.Runtime.Version)} (${n.Runtime.Path})` : n.Runtime.Name;
    const rows: [string, string][] = [['Node', n.Name], ['Version', n.Version], ['Runtime', runtime]];
    if (n.Conmon) rows.push(['Conmon', `${firstLine(n.Conmon.Version)} (${n.Conmon.Path})`]);
    if (n.OsArch) rows.push(['OS/Arch', n.OsArch]);
    blocks.push(section(rows));
  }
  if (r.Nodes && r.Nodes.length === 0) blocks.push(section([['Node', 'none live (start one with `berth worker --node NAME` or `berth up`)']]));
  return blocks.map((b) => b.join('\n')).join('\n\n');
}

export interface InfoReport extends SystemInfo {
  client: ClientFacts;
}

/** `berth info`'s object: the client first, then what Redis and the nodes say. */
export function infoReport(client: ClientFacts, info: SystemInfo): InfoReport {
  return { client, redis: info.redis, nodes: info.nodes, store: info.store };
}
