/**
 * The per-node image index in Redis: the node's worker writes the JSON array of its ImageRecords
 * after every change (and at start); any client reads it for `image ls` and `image inspect`
 * without a job. Read defensively: a malformed value is an empty list.
 */
import type { Redis } from 'ioredis';
import type { ImageRecord } from '../images/types.js';
import type { Keys } from './keys.js';

export class ImageIndex {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async write(node: string, images: ImageRecord[]): Promise<void> {
    await this.redis.set(this.keys.nodeImages(node), JSON.stringify(images));
  }

  async read(node: string): Promise<ImageRecord[]> {
    const raw = await this.redis.get(this.keys.nodeImages(node));
    if (!raw) return [];
    try {
      const v = JSON.parse(raw) as unknown;
      return Array.isArray(v) ? (v.filter((r) => typeof r === 'object' && r !== null && typeof (r as ImageRecord).id === 'string' && Array.isArray((r as ImageRecord).names)) as ImageRecord[]) : [];
    } catch {
      return [];
    }
  }
}
