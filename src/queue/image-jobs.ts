/**
 * The image jobs of a node's image queue (keys.imageQueue), their contract and their processor:
 * pull, load, import, rm and tag, validated with zod at the boundary; each answers with the
 * image records it touched, or fails with a coded failure (contract.encodeFailure) that changes
 * nothing. Progress lines ("Copying blob …") go out as the job's progress, for the client's stderr.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import { BerthError, toBerthError } from '../errors.js';
import { importRootfs } from '../images/import.js';
import { loadArchive } from '../images/load.js';
import { pullImage } from '../images/registry.js';
import type { ImageStore } from '../images/store.js';
import type { ImageRecord } from '../images/types.js';
import type { Logger } from '../log.js';
import type { ContainerStore } from '../store/containers.js';
import { encodeFailure } from './contract.js';

const text = (what: string) => z.string({ error: `${what} must be a string` }).min(1, `${what} must not be empty`).max(4096, `${what} is too long`);

export const IMAGE_JOBS = {
  pull: z.object({ ref: text('ref'), tlsVerify: z.boolean().optional(), creds: z.string().max(4096).optional() }).strict(),
  load: z.object({ file: text('file') }).strict(),
  import: z.object({ file: text('file'), name: text('name') }).strict(),
  rm: z.object({ ref: text('ref'), force: z.boolean().optional() }).strict(),
  tag: z.object({ ref: text('ref'), name: text('name') }).strict(),
} as const;

export type ImageJobName = keyof typeof IMAGE_JOBS;
export type ImageJobData<N extends ImageJobName> = z.infer<(typeof IMAGE_JOBS)[N]>;

/** A job's progress as the worker reports it. */
export interface ImageProgress {
  line: string;
}

/** The containers (names) whose spec names image `id` (`spec.image.id`, set by container storage). */
export async function containersUsing(store: ContainerStore, id: string): Promise<string[]> {
  const records = await store.list();
  return records
    .filter((r) => {
      const image = (r.spec as unknown as { image?: unknown }).image;
      return typeof image === 'object' && image !== null && (image as { id?: unknown }).id === id;
    })
    .map((r) => r.name);
}

export class ImageJobs {
  constructor(
    private readonly o: { images: ImageStore; containers: ContainerStore; log: Logger; node: string; changed: () => Promise<void> },
  ) {}

  private parse<N extends ImageJobName>(name: N, data: unknown): ImageJobData<N> {
    const r = IMAGE_JOBS[name].safeParse(data);
    if (!r.success) throw new BerthError('EINVAL', `invalid ${name} job: ${r.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ')}`);
    return r.data as ImageJobData<N>;
  }

  private async run(job: Job): Promise<ImageRecord[]> {
    const progress = (line: string) => void job.updateProgress({ line } satisfies ImageProgress).catch(() => undefined);
    const { images } = this.o;
    switch (job.name) {
      case 'pull': {
        const d = this.parse('pull', job.data);
        return [await pullImage(images, d.ref, { ...(d.tlsVerify === undefined ? {} : { tlsVerify: d.tlsVerify }), ...(d.creds ? { creds: d.creds } : {}), progress })];
      }
      case 'load':
        return loadArchive(images, this.parse('load', job.data).file, progress);
      case 'import': {
        const d = this.parse('import', job.data);
        return [await importRootfs(images, d.file, d.name)];
      }
      case 'rm': {
        const d = this.parse('rm', job.data);
        return [await images.remove(d.ref, { force: d.force === true, usedBy: (id) => containersUsing(this.o.containers, id) })];
      }
      case 'tag': {
        const d = this.parse('tag', job.data);
        return [await images.tag(d.ref, d.name)];
      }
      default:
        throw new BerthError('EINVAL', `unknown image job ${JSON.stringify(job.name.slice(0, 40))}: one of ${Object.keys(IMAGE_JOBS).join(', ')}`);
    }
  }

  async process(job: Job): Promise<ImageRecord[]> {
    const log = this.o.log.child({ job: job.id ?? null, node: this.o.node, command: `image ${job.name}` });
    try {
      const out = await this.run(job);
      await this.o.changed();
      log.info({ images: out.map((r) => r.id) }, 'image job done');
      return out;
    } catch (err) {
      const e = toBerthError(err);
      log.info({ code: e.code, msg: e.message }, 'image job failed');
      // never retried: a failed pull or load left nothing, and the user asks again
      throw new UnrecoverableError(encodeFailure(e));
    }
  }
}
