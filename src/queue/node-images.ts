/**
 * The images a node's creates use (`create IMAGE`): its image store, whose pulls on a create (an
 * image the node lacks) also update the node's image index in Redis, as an image job's do, so
 * that `image ls` shows what a create pulled.
 */
import type { Redis } from 'ioredis';
import { ImageStore } from '../images/store.js';
import type { ImageRecord, ImageResolver } from '../images/types.js';
import { ImageIndex } from '../store/images.js';
import type { Keys } from '../store/keys.js';

export function nodeImages(stateDir: string, redis: Redis, keys: Keys, node: string): ImageResolver {
  const images = new ImageStore(stateDir);
  const index = new ImageIndex(redis, keys);
  return {
    find: (ref: string): Promise<ImageRecord | null> => images.find(ref),
    async ensure(ref: string, options?: { tlsVerify?: boolean }): Promise<ImageRecord> {
      const found = await images.find(ref);
      if (found) return found;
      const pulled = await images.ensure(ref, options);
      await index.write(node, await images.list());
      return pulled;
    },
  };
}
