/**
 * `image load`: an OCI archive (index.json + blobs/sha256, as `podman save --format
 * oci-archive` and `skopeo copy oci-archive:` write) or a docker-archive (manifest.json, as
 * `docker save` and `podman save` write). The outer tar is extracted with the same guard as
 * layers into a work dir; every blob is verified against its digest (OCI) and every layer
 * against the config's diff Ids (both) before the store commits anything.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { BerthError } from '../errors.js';
import { digestHex, fileHex } from './digest.js';
import { INDEX_TYPES, parseIndex, parseManifest, pickPlatform, unknownType, type Descriptor } from './manifest.js';
import { localName } from './reference.js';
import type { ImageStore, StagedImage } from './store.js';
import type { ImageRecord } from './types.js';
import { unpack } from './unpack.js';

export type Progress = (line: string) => void;

export async function loadArchive(store: ImageStore, file: string, progress: Progress = () => undefined): Promise<ImageRecord[]> {
  const what = `archive ${file.split('/').pop() ?? file}`;
  const st = await stat(file).catch(() => null);
  if (!st?.isFile()) throw new BerthError('EINVAL', `${what}: no such file`);
  return store.withWork(async (work) => {
    const dir = join(work, 'archive');
    await unpack(file, dir, { what, layer: false });
    const staged = (await exists(join(dir, 'index.json'))) ? await ociImages(dir, what, progress) : await dockerImages(dir, what, progress);
    const out: ImageRecord[] = [];
    for (const s of staged) {
      progress('Writing manifest to image destination');
      out.push(await store.commit(s, work));
    }
    return out;
  });
}

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null)) !== null;
}

/** A blob of the OCI layout, verified; its path. */
async function ociBlob(dir: string, d: Descriptor, what: string): Promise<string> {
  const hex = digestHex(d.digest, what);
  const path = join(dir, 'blobs', 'sha256', hex);
  if (!(await exists(path))) throw new BerthError('EINVAL', `${what}: blob ${d.digest} missing from the archive`);
  const got = await fileHex(path);
  if (got !== hex) throw new BerthError('EINVAL', `${what}: blob ${d.digest}: digest mismatch: got sha256:${got}`);
  return path;
}

async function ociImages(dir: string, what: string, progress: Progress): Promise<StagedImage[]> {
  const index = parseIndex(await readFile(join(dir, 'index.json')), `${what}: index.json`);
  const out: StagedImage[] = [];
  for (const entry of index.manifests) {
    let d = entry;
    if (d.mediaType !== undefined && INDEX_TYPES.includes(d.mediaType)) {
      d = pickPlatform(parseIndex(await readFile(await ociBlob(dir, d, what)), `${what}: index ${d.digest}`), `${what}: index ${d.digest}`);
    }
    const m = parseManifest(await readFile(await ociBlob(dir, d, what)), `${what}: manifest ${d.digest}`);
    const layers: string[] = [];
    for (const l of m.layers) {
      progress(`Copying blob ${digestHex(l.digest, what).slice(0, 12)} done`);
      layers.push(await ociBlob(dir, l, what));
    }
    progress(`Copying config ${digestHex(m.config.digest, what).slice(0, 12)} done`);
    const config = await readFile(await ociBlob(dir, m.config, what));
    const ref = entry.annotations?.['org.opencontainers.image.ref.name'];
    // a bare tag (skopeo's oci-archive:FILE:TAG) names no repository: the image stays unnamed
    const names = ref && ref.includes('/') ? [localName(ref)] : [];
    out.push({ config, layers, names, digest: d.digest });
  }
  if (out.length === 0) throw new BerthError('EINVAL', `${what}: index.json lists no image`);
  return out;
}

const dockerManifest = z.array(z.object({ Config: z.string(), RepoTags: z.array(z.string()).nullish(), Layers: z.array(z.string()) })).min(1);

async function dockerImages(dir: string, what: string, progress: Progress): Promise<StagedImage[]> {
  const path = join(dir, 'manifest.json');
  if (!(await exists(path))) throw new BerthError('EINVAL', `${what}: neither an OCI archive (index.json) nor a docker-archive (manifest.json)`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new BerthError('EINVAL', `${what}: manifest.json is not JSON`);
  }
  const r = dockerManifest.safeParse(json);
  if (!r.success) throw new BerthError('EINVAL', `${what}: manifest.json: invalid: ${r.error.issues[0]?.message ?? ''}`);
  const inside = async (rel: string) => {
    if (rel.startsWith('/') || rel.split('/').includes('..')) throw new BerthError('EINVAL', `${what}: manifest.json names ${JSON.stringify(rel)} outside the archive`);
    const p = join(dir, rel);
    if (!(await exists(p))) throw new BerthError('EINVAL', `${what}: ${rel} missing from the archive`);
    return p;
  };
  const out: StagedImage[] = [];
  for (const img of r.data) {
    if (!img.Config.endsWith('.json')) throw unknownType(img.Config, `${what}: config`);
    const config = await readFile(await inside(img.Config));
    const layers: string[] = [];
    for (const l of img.Layers) {
      progress(`Copying blob ${l.replace(/\/layer\.tar$|\.tar$/, '').slice(0, 12)} done`);
      layers.push(await inside(l));
    }
    progress(`Copying config ${img.Config.slice(0, 12)} done`);
    out.push({ config, layers, names: (img.RepoTags ?? []).map((t) => localName(t)) });
  }
  return out;
}
