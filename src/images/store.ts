/**
 * A node's image store (layout.ts): images by full or short name and by full or short Id, each
 * layer unpacked once and shared. Every write is staged in tmp/ and renamed into place at the
 * end, so a failed import, load or pull leaves no partial image; one write at a time per store.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { BerthError } from '../errors.js';
import { excerpt } from '../printable.js';
import { digestHex, diffHexOf } from './digest.js';
import { ImageLayout } from './layout.js';
import { parseConfig } from './manifest.js';
import { matchImage } from './match.js';
import { localName } from './reference.js';
import { pullImage } from './registry.js';
import type { ImageConfig, ImageRecord, ImageResolver } from './types.js';
import { unpack } from './unpack.js';

/** An image ready to commit: its config's bytes, its layer files (lowest first), its names. */
export interface StagedImage {
  config: Buffer;
  layers: string[];
  names: string[];
  /** The manifest's digest, when it came with one. */
  digest?: string;
}

export function noSuchImage(ref: string): BerthError {
  return new BerthError('ENOIMAGE', `${excerpt(ref)}: image not known`);
}

export class ImageStore implements ImageResolver {
  readonly layout: ImageLayout;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(stateDir: string) {
    this.layout = new ImageLayout(stateDir);
  }

  /** Runs `f` after every earlier write of this store. */
  exclusive<T>(f: () => Promise<T>): Promise<T> {
    const next = this.queue.then(f, f);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** A fresh work dir under tmp/, removed by `f`'s end whatever happens. */
  async withWork<T>(f: (work: string) => Promise<T>): Promise<T> {
    await mkdir(this.layout.tmp, { recursive: true });
    const work = join(this.layout.tmp, randomBytes(8).toString('hex'));
    await mkdir(work);
    try {
      return await f(work);
    } finally {
      // a failed extraction may still be finishing writes: retried, and never hiding f's own error
      await rm(work, { recursive: true, force: true, maxRetries: 5 }).catch(() => undefined);
    }
  }

  async list(): Promise<ImageRecord[]> {
    const files = await readdir(this.layout.images).catch(() => [] as string[]);
    const out: ImageRecord[] = [];
    for (const f of files.filter((n) => /^[a-f0-9]{64}\.json$/.test(n))) {
      const rec = await readFile(join(this.layout.images, f), 'utf8').then((t) => JSON.parse(t) as ImageRecord, () => null);
      if (rec) out.push(rec);
    }
    return out.sort((a, b) => b.created.localeCompare(a.created) || a.id.localeCompare(b.id));
  }

  /** By full name, short name (Podman's: `busybox` matches any registry's busybox:latest), full or short Id (match.ts). */
  async find(ref: string): Promise<ImageRecord | null> {
    return matchImage(await this.list(), ref);
  }

  /** find, or pull it from its registry first (a create of an image this node lacks). */
  async ensure(ref: string, options: { tlsVerify?: boolean } = {}): Promise<ImageRecord> {
    return (await this.find(ref)) ?? pullImage(this, ref, options);
  }

  async get(ref: string): Promise<ImageRecord> {
    const r = await this.find(ref);
    if (!r) throw noSuchImage(ref);
    return r;
  }

  /** The image's config document (inspect). */
  async configOf(id: string): Promise<Buffer> {
    return readFile(this.layout.blob(id));
  }

  /** Commits a staged image (its layers verified against the config's diff Ids); `work` is the caller's work dir. */
  commit(staged: StagedImage, work: string): Promise<ImageRecord> {
    return this.exclusive(async () => {
      const cfg = parseConfig(staged.config, 'image config');
      const id = createHash('sha256').update(staged.config).digest('hex');
      const diffs = cfg.rootfs.diff_ids.map((d, i) => digestHex(d, `layer ${i + 1}`));
      if (diffs.length !== staged.layers.length) throw new BerthError('EINVAL', `image config lists ${diffs.length} layers, the manifest ${staged.layers.length}`);
      const fresh: string[] = [];
      for (const [i, hex] of diffs.entries()) {
        if (await exists(this.layout.layer(hex))) continue;
        const got = await diffHexOf(staged.layers[i]!);
        if (got !== hex) throw new BerthError('EINVAL', `layer ${i + 1}: digest mismatch: expected diff sha256:${hex}, got sha256:${got}`);
        await unpack(staged.layers[i]!, join(work, 'layer-' + hex), { what: `layer sha256:${hex.slice(0, 12)}`, layer: true });
        fresh.push(hex);
      }
      await mkdir(this.layout.layers, { recursive: true });
      await mkdir(this.layout.blobs, { recursive: true });
      await mkdir(this.layout.images, { recursive: true });
      for (const hex of fresh) await rename(join(work, 'layer-' + hex), this.layout.layer(hex)).catch(async (e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
      });
      await writeFile(this.layout.blob(id), staged.config);
      const layers = diffs.map((h) => this.layout.layer(h));
      let size = 0;
      for (const l of layers) size += await du(l);
      const old = await readFile(this.layout.image(id), 'utf8').then((t) => JSON.parse(t) as ImageRecord, () => null);
      const names = [...new Set([...(old?.names ?? []), ...staged.names])];
      const record: ImageRecord = {
        id,
        names,
        layers,
        config: pickConfig(cfg.config ?? {}),
        size,
        created: cfg.created ?? new Date(0).toISOString(),
        ...(staged.digest ? { digest: staged.digest } : old?.digest ? { digest: old.digest } : {}),
      };
      await this.untag(staged.names, id);
      await writeRecord(this.layout.image(id), record);
      return record;
    });
  }

  /** Adds `name` (normalised, localhost by default) to the image; another image holding it loses it. */
  tag(ref: string, name: string): Promise<ImageRecord> {
    const full = localName(name);
    return this.exclusive(async () => {
      const rec = await this.get(ref);
      await this.untag([full], rec.id);
      const next = { ...rec, names: [...new Set([...rec.names, full])] };
      await writeRecord(this.layout.image(rec.id), next);
      return next;
    });
  }

  /** Removes the image and the layers no other image uses; `usedBy` lists containers using it (refused unless force). */
  remove(ref: string, opts: { force: boolean; usedBy: (id: string) => Promise<string[]> }): Promise<ImageRecord> {
    return this.exclusive(async () => {
      const rec = await this.get(ref);
      const users = await opts.usedBy(rec.id);
      if (users.length > 0 && !opts.force) {
        throw new BerthError('EIMAGEUSED', `image used by ${users.join(', ')}: image is in use by a container: consider listing external containers and force-removing image`);
      }
      await rm(this.layout.image(rec.id), { force: true });
      const kept = new Set((await this.list()).flatMap((r) => r.layers));
      for (const l of rec.layers) if (!kept.has(l)) await rm(l, { recursive: true, force: true });
      await rm(this.layout.blob(rec.id), { force: true });
      return rec;
    });
  }

  private async untag(names: string[], keep: string): Promise<void> {
    for (const r of await this.list()) {
      if (r.id === keep || !r.names.some((n) => names.includes(n))) continue;
      await writeRecord(this.layout.image(r.id), { ...r, names: r.names.filter((n) => !names.includes(n)) });
    }
  }
}

function pickConfig(c: Record<string, unknown>): ImageConfig {
  const out: ImageConfig = {};
  for (const k of ['Entrypoint', 'Cmd', 'Env', 'WorkingDir', 'User', 'StopSignal', 'Labels', 'Healthcheck'] as const) {
    if (c[k] !== null && c[k] !== undefined && c[k] !== '') (out as Record<string, unknown>)[k] = c[k];
  }
  return out;
}

async function writeRecord(path: string, rec: ImageRecord): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, JSON.stringify(rec));
  await rename(tmp, path);
}

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null)) !== null;
}

async function du(dir: string): Promise<number> {
  const r = await execa('du', ['-sb', dir], { reject: false });
  return Number.parseInt(r.stdout.split('\t')[0] ?? '0', 10) || 0;
}
