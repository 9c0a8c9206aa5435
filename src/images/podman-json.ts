/**
 * Images in Podman's JSON shapes: `podman image ls --format json` (ListImage) and `podman image
 * inspect` (ImageData), from an ImageRecord, plus `Node`. Pure.
 */
import { basename } from 'node:path';
import type { ImageRecord } from './types.js';

type NodeImage = ImageRecord & { node: string };

const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000) || 0;

/** One row of `image ls --format json`. */
export function listJson(i: NodeImage): Record<string, unknown> {
  return {
    Id: i.id,
    ParentId: '',
    RepoTags: i.names,
    RepoDigests: i.digest ? i.names.map((n) => `${n.replace(/:[^:/]+$/, '')}@${i.digest}`) : [],
    Size: i.size,
    SharedSize: 0,
    VirtualSize: i.size,
    Labels: i.config.Labels ?? {},
    Containers: 0,
    Names: i.names,
    Digest: i.digest ?? '',
    Created: unix(i.created),
    CreatedAt: i.created,
    Node: i.node,
  };
}

/** One object of `image inspect`. */
export function inspectJson(i: NodeImage): Record<string, unknown> {
  return {
    Id: i.id,
    Digest: i.digest ?? '',
    RepoTags: i.names,
    RepoDigests: listJson(i)['RepoDigests'],
    Parent: '',
    Comment: '',
    Created: i.created,
    Config: i.config,
    Version: '',
    Author: '',
    Architecture: 'amd64',
    Os: 'linux',
    Size: i.size,
    VirtualSize: i.size,
    GraphDriver: { Name: 'overlay', Data: { LowerDir: [...i.layers].reverse().join(':') } },
    RootFS: { Type: 'layers', Layers: i.layers.map((l) => `sha256:${basename(l)}`) },
    Labels: i.config.Labels ?? {},
    Annotations: {},
    User: i.config.User ?? '',
    NamesHistory: i.names,
    Node: i.node,
  };
}

/** REPOSITORY and TAG of a full name, as `podman images` splits it. */
export function repoTag(name: string): [string, string] {
  const m = /^(.*):([^:/]+)$/.exec(name);
  return m ? [m[1]!, m[2]!] : [name, '<none>'];
}
