/**
 * `pull`: the OCI distribution API (GET /v2/<repo>/manifests/<ref> and /blobs/<digest>) with
 * Node's fetch, anonymous or with basic credentials (sent as Basic, or exchanged for a Bearer
 * token when the registry's WWW-Authenticate asks for one), https unless tlsVerify is false
 * (plain http, as Podman's --tls-verify=false with a local registry). Blobs stream to the work
 * dir verified against their digests; the store commits only a complete image.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebStream } from 'node:stream/web';
import { BerthError } from '../errors.js';
import { digestHex, writeVerified } from './digest.js';
import { INDEX_TYPES, MANIFEST_ACCEPT, parseIndex, parseManifest, pickPlatform } from './manifest.js';
import { fullName, parseReference, type ImageReference } from './reference.js';
import type { ImageStore } from './store.js';
import type { ImageRecord } from './types.js';
import type { Progress } from './load.js';

export interface PullOptions {
  tlsVerify?: boolean;
  /** USER:PASS */
  creds?: string;
  progress?: Progress;
}

class Session {
  private auth: string | undefined;
  constructor(
    private readonly ref: ImageReference,
    private readonly base: string,
    private readonly creds: string | undefined,
  ) {}

  async get(path: string, accept?: string): Promise<Response> {
    const url = `${this.base}/v2/${this.ref.repository}/${path}`;
    let res = await this.fetch(url, accept);
    if (res.status === 401 && this.auth === undefined) {
      await this.authenticate(res.headers.get('www-authenticate') ?? '');
      res = await this.fetch(url, accept);
    }
    if (res.status === 401) throw new BerthError('EINVAL', `initializing source docker://${fullName(this.ref)}: reading manifest ${this.ref.tag} in ${this.ref.registry}/${this.ref.repository}: unauthorized: authentication required`);
    if (res.status === 404) throw new BerthError('ENOIMAGE', `initializing source docker://${fullName(this.ref)}: reading ${path.split('/')[0]} ${path.split('/')[1]} in ${this.ref.registry}/${this.ref.repository}: manifest unknown`);
    if (!res.ok) throw new BerthError('EUNAVAIL', `registry ${this.ref.registry} answered ${res.status} ${res.statusText} for ${path}`);
    return res;
  }

  private async fetch(url: string, accept?: string): Promise<Response> {
    const headers: Record<string, string> = {};
    if (accept) headers['accept'] = accept;
    if (this.auth) headers['authorization'] = this.auth;
    try {
      return await fetch(url, { headers, redirect: 'follow' });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new BerthError('EUNAVAIL', `pinging container registry ${this.ref.registry}: ${cause?.code ?? ''} ${cause?.message ?? (err as Error).message}`.trim(), { cause: err });
    }
  }

  private async authenticate(challenge: string): Promise<void> {
    const basic = this.creds ? `Basic ${Buffer.from(this.creds).toString('base64')}` : undefined;
    if (/^basic/i.test(challenge)) {
      this.auth = basic;
      return;
    }
    const m = /^bearer\s+(.*)$/i.exec(challenge);
    if (!m) return;
    const params = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (!params['realm']) return;
    const url = new URL(params['realm']);
    for (const k of ['service', 'scope']) if (params[k]) url.searchParams.set(k, params[k]);
    if (!params['scope']) url.searchParams.set('scope', `repository:${this.ref.repository}:pull`);
    const res = await fetch(url, basic ? { headers: { authorization: basic } } : {}).catch(() => null);
    if (!res?.ok) return;
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (token) this.auth = `Bearer ${token}`;
  }
}

export async function pullImage(store: ImageStore, refText: string, o: PullOptions = {}): Promise<ImageRecord> {
  const ref = parseReference(refText);
  if (o.creds !== undefined && !/^[^:]+:.*$/.test(o.creds)) throw new BerthError('EINVAL', '--creds: expected USER:PASS');
  const progress = o.progress ?? (() => undefined);
  const scheme = o.tlsVerify === false ? 'http' : 'https';
  const host = ref.registry === 'docker.io' ? 'registry-1.docker.io' : ref.registry;
  const s = new Session(ref, `${scheme}://${host}`, o.creds);
  progress(`Trying to pull ${fullName(ref)}...`);
  const what = `pull ${fullName(ref)}`;
  const manifestOf = async (reference: string): Promise<{ bytes: Buffer; type: string; digest: string }> => {
    const res = await s.get(`manifests/${reference}`, MANIFEST_ACCEPT);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (reference.startsWith('sha256:') && reference !== digest) throw new BerthError('EINVAL', `${what}: manifest digest mismatch: expected ${reference}, got ${digest}`);
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    return { bytes, type, digest };
  };
  let m = await manifestOf(ref.digest ?? ref.tag);
  const mediaType = (JSON.parse(m.bytes.toString()) as { mediaType?: string }).mediaType ?? m.type;
  if (INDEX_TYPES.includes(mediaType)) m = await manifestOf(pickPlatform(parseIndex(m.bytes, `${what}: manifest list`), `${what}`).digest);
  const manifest = parseManifest(m.bytes, `${what}: manifest`);
  progress('Getting image source signatures');
  return store.withWork(async (work) => {
    const blob = async (digest: string, kind: string): Promise<string> => {
      const hex = digestHex(digest, what);
      const res = await s.get(`blobs/${digest}`);
      if (!res.body) throw new BerthError('EUNAVAIL', `${what}: empty body for blob ${digest}`);
      const file = join(work, `blob-${hex}`);
      await writeVerified(Readable.fromWeb(res.body as WebStream<Uint8Array>), file, hex, `${what}: ${kind} ${digest}`);
      progress(`Copying ${kind} ${hex.slice(0, 12)} done`);
      return file;
    };
    const layers: string[] = [];
    for (const l of manifest.layers) layers.push(await blob(l.digest, 'blob'));
    const config = await readFile(await blob(manifest.config.digest, 'config'));
    progress('Writing manifest to image destination');
    return store.commit({ config, layers, names: [fullName({ ...ref, digest: undefined } as ImageReference)], digest: m.digest }, work);
  });
}
