/**
 * The client side of images (`client.images`): pull, load, import, rm and tag are jobs on the
 * image queue of each node concerned (image-jobs.ts), answered through that queue's events, with
 * their progress lines handed to `onProgress`; ls and inspect read the nodes' image indexes in
 * Redis (store/images.ts), no job. Images live on nodes: every result says which.
 */
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { BerthError } from '../errors.js';
import { matchImage } from '../images/match.js';
import type { ImageRecord } from '../images/types.js';
import { ImageIndex } from '../store/images.js';
import type { Keys } from '../store/keys.js';
import type { NodeRegistry } from '../store/nodes.js';
import { decodeFailure } from './contract.js';
import type { ImageJobData, ImageJobName, ImageProgress } from './image-jobs.js';
import { jobOutcome } from './job-outcome.js';

/** An image and the node it is on. */
export type NodeImage = ImageRecord & { node: string };

export interface ImageJobOptions {
  /** One node or several; default: pull every live node, load and import the first live node that can read the file, rm and tag every node that has the image. */
  node?: string | string[];
  /** Each progress line of the job ("Copying blob …"), with its node. */
  onProgress?: (line: string, node: string) => void;
}

export class ImageClient {
  private readonly queues = new Map<string, { queue: Queue; events: QueueEvents }>();
  private readonly index: ImageIndex;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly nodes: NodeRegistry,
    private readonly blocking: (name: string) => Redis,
  ) {
    this.index = new ImageIndex(redis, keys);
  }

  /** Pulls `ref` from its registry to each node (default every live node). */
  async pull(ref: string, o: ImageJobOptions & { tlsVerify?: boolean; creds?: string } = {}): Promise<NodeImage[]> {
    const nodes = o.node === undefined ? await this.liveNodes() : [o.node].flat();
    const data: ImageJobData<'pull'> = { ref, ...(o.tlsVerify === undefined ? {} : { tlsVerify: o.tlsVerify }), ...(o.creds === undefined ? {} : { creds: o.creds }) };
    const out = await Promise.all(nodes.map((n) => this.run(n, 'pull', data, o.onProgress)));
    return out.flat();
  }

  /** Loads an OCI or docker archive `file` (a path on the node) into a node. */
  load(file: string, o: ImageJobOptions = {}): Promise<NodeImage[]> {
    return this.onReader((n) => this.run(n, 'load', { file }, o.onProgress), o.node);
  }

  /** Imports a root filesystem tarball `file` (a path on the node) as NAME[:TAG]. */
  async import(file: string, name: string, o: ImageJobOptions = {}): Promise<NodeImage> {
    const [img] = await this.onReader((n) => this.run(n, 'import', { file, name }, o.onProgress), o.node);
    return img!;
  }

  /** Every node's images (or those of `node`). */
  async list(o: { node?: string | string[] } = {}): Promise<NodeImage[]> {
    const nodes = o.node === undefined ? (await this.nodes.list()).map((n) => n.name) : [o.node].flat();
    const out: NodeImage[] = [];
    for (const node of nodes) for (const r of await this.index.read(node)) out.push({ ...r, node });
    return out;
  }

  /** The image `ref` names on each node that has it; ENOIMAGE when none has. */
  async inspect(ref: string, o: { node?: string | string[] } = {}): Promise<NodeImage[]> {
    const byNode = new Map<string, NodeImage[]>();
    for (const img of await this.list(o)) byNode.set(img.node, [...(byNode.get(img.node) ?? []), img]);
    const hits = [...byNode.values()].map((imgs) => matchImage(imgs, ref)).filter((x): x is NodeImage => x !== null);
    if (hits.length === 0) throw new BerthError('ENOIMAGE', `${ref.slice(0, 200)}: image not known`);
    return hits;
  }

  /** Removes the image from each node that has it; refused (EIMAGEUSED) while a container uses it, unless `force`. */
  async remove(ref: string, o: ImageJobOptions & { force?: boolean } = {}): Promise<NodeImage[]> {
    const nodes = [...new Set((await this.inspect(ref, o)).map((i) => i.node))];
    const out = await Promise.all(nodes.map((n) => this.run(n, 'rm', { ref, ...(o.force ? { force: true } : {}) })));
    return out.flat();
  }

  /** Adds name NAME[:TAG] (localhost/ by default) to the image on each node that has it. */
  async tag(ref: string, name: string, o: ImageJobOptions = {}): Promise<NodeImage[]> {
    const nodes = [...new Set((await this.inspect(ref, o)).map((i) => i.node))];
    const out = await Promise.all(nodes.map((n) => this.run(n, 'tag', { ref, name })));
    return out.flat();
  }

  async close(): Promise<void> {
    for (const { queue, events } of this.queues.values()) {
      await events.close().catch(() => undefined);
      await queue.close().catch(() => undefined);
    }
    this.queues.clear();
  }

  private async liveNodes(): Promise<string[]> {
    const live = (await this.nodes.list()).filter((n) => n.live).map((n) => n.name);
    if (live.length === 0) throw new BerthError('EUNAVAIL', 'no live worker node: start one with `berth worker --node NAME` or `berth up`');
    return live;
  }

  /** The given node, or the first live node whose job does not fail for want of the file. */
  private async onReader(f: (node: string) => Promise<NodeImage[]>, node: string | string[] | undefined): Promise<NodeImage[]> {
    if (node !== undefined) return (await Promise.all([node].flat().map(f))).flat();
    let last: unknown;
    for (const n of await this.liveNodes()) {
      try {
        return await f(n);
      } catch (err) {
        if (!(err instanceof BerthError && /: no such file$/.test(err.message))) throw err;
        last = err;
      }
    }
    throw last;
  }

  private open(node: string): { queue: Queue; events: QueueEvents } {
    let q = this.queues.get(node);
    if (!q) {
      const name = this.keys.imageQueue(node);
      q = { queue: new Queue(name, { connection: this.redis, prefix: this.keys.queuePrefix }), events: new QueueEvents(name, { connection: this.blocking('berth-client-images'), prefix: this.keys.queuePrefix }) };
      q.queue.on('error', () => undefined);
      q.events.on('error', () => undefined);
      q.events.setMaxListeners(0);
      this.queues.set(node, q);
    }
    return q;
  }

  private async run<N extends ImageJobName>(node: string, name: N, data: ImageJobData<N>, onProgress?: (line: string, node: string) => void): Promise<NodeImage[]> {
    const { queue, events } = this.open(node);
    await events.waitUntilReady();
    let id = '';
    const progress = (a: { jobId: string; data: unknown }) => {
      const line = (a.data as Partial<ImageProgress> | null)?.line;
      if (a.jobId === id && typeof line === 'string') onProgress?.(line, node);
    };
    events.on('progress', progress);
    try {
      const job = await queue.add(name, data, { attempts: 1, removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 24 * 3600, count: 1000 } });
      id = job.id ?? '';
      const outcome = await jobOutcome(queue, events, id);
      if (!outcome.ok) throw decodeFailure(outcome.reason);
      const value = typeof outcome.value === 'string' ? (JSON.parse(outcome.value) as unknown) : outcome.value;
      return (Array.isArray(value) ? (value as ImageRecord[]) : []).map((r) => ({ ...r, node }));
    } finally {
      events.off('progress', progress);
    }
  }
}
