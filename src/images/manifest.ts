/**
 * The OCI and Docker documents an image is made of (index/manifest list, manifest, config),
 * validated with zod, and the media types Berth accepts; anything else is a clear EINVAL.
 */
import { z } from 'zod';
import { BerthError } from '../errors.js';
import { excerpt } from '../printable.js';

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

export const INDEX_TYPES: readonly string[] = [MEDIA.ociIndex, MEDIA.dockerList];
export const MANIFEST_TYPES: readonly string[] = [MEDIA.ociManifest, MEDIA.dockerManifest];
const CONFIG_TYPES: readonly string[] = ['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json'];
const LAYER_TYPES: readonly string[] = [
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
];

/** The Accept header of a manifest request. */
export const MANIFEST_ACCEPT = [...MANIFEST_TYPES, ...INDEX_TYPES].join(', ');

const descriptor = z.object({
  mediaType: z.string().optional(),
  digest: z.string(),
  size: z.number().int().nonnegative().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: z.object({ architecture: z.string(), os: z.string(), variant: z.string().optional() }).optional(),
});
export type Descriptor = z.infer<typeof descriptor>;

const index = z.object({ schemaVersion: z.literal(2), mediaType: z.string().optional(), manifests: z.array(descriptor) });
const manifest = z.object({ schemaVersion: z.literal(2), mediaType: z.string().optional(), config: descriptor, layers: z.array(descriptor) });
const imageConfig = z.object({
  created: z.string().optional(),
  architecture: z.string().optional(),
  os: z.string().optional(),
  config: z
    .object({
      Entrypoint: z.array(z.string()).nullish(),
      Cmd: z.array(z.string()).nullish(),
      Env: z.array(z.string()).nullish(),
      WorkingDir: z.string().nullish(),
      User: z.string().nullish(),
      StopSignal: z.string().nullish(),
      Labels: z.record(z.string(), z.string()).nullish(),
    })
    .passthrough()
    .nullish(),
  rootfs: z.object({ type: z.literal('layers'), diff_ids: z.array(z.string()) }),
});
export type ImageConfigDoc = z.infer<typeof imageConfig>;
export type ManifestDoc = z.infer<typeof manifest>;
export type IndexDoc = z.infer<typeof index>;

function parse<T>(schema: z.ZodType<T>, bytes: Buffer | string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString());
  } catch {
    throw new BerthError('EINVAL', `${what}: not JSON`);
  }
  const r = schema.safeParse(json);
  if (!r.success) throw new BerthError('EINVAL', `${what}: invalid: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

export const parseIndex = (b: Buffer | string, what: string): IndexDoc => parse(index, b, what);
export const parseConfig = (b: Buffer | string, what: string): ImageConfigDoc => parse(imageConfig, b, what);

/** A manifest whose media types Berth knows (the manifest's own, its config's, each layer's). */
export function parseManifest(b: Buffer | string, what: string): ManifestDoc {
  const m = parse(manifest, b, what);
  if (m.mediaType !== undefined && !MANIFEST_TYPES.includes(m.mediaType)) throw unknownType(m.mediaType, what);
  if (m.config.mediaType !== undefined && !CONFIG_TYPES.includes(m.config.mediaType)) throw unknownType(m.config.mediaType, `${what} config`);
  for (const l of m.layers) if (l.mediaType === undefined || !LAYER_TYPES.includes(l.mediaType)) throw unknownType(l.mediaType ?? '(none)', `${what} layer ${l.digest}`);
  return m;
}

export function unknownType(type: string, what: string): BerthError {
  return new BerthError('EINVAL', `${what}: unsupported media type ${excerpt(type)}`);
}

/** The linux/amd64 entry of an index or manifest list, as Podman picks on this host. */
export function pickPlatform(i: IndexDoc, what: string): Descriptor {
  const hit = i.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64');
  if (!hit) {
    const have = i.manifests.map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}` : 'unknown')).join(', ');
    throw new BerthError('EINVAL', `${what}: no image found in manifest list for architecture amd64, variant "", OS linux (has ${have || 'none'})`);
  }
  return hit;
}
