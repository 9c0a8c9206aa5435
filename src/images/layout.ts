/**
 * Where a node's image store keeps its files, under `<stateDir>/images`:
 *   blobs/sha256/<hex>   content-addressed blobs (configs, manifests, compressed layers), verified
 *   layers/<hex>/        each layer unpacked once, named by its diff Id (the uncompressed digest),
 *                        in overlay form: whiteouts are 0:0 char devices, opaque dirs carry
 *                        trusted.overlay.opaque=y
 *   images/<id>.json     one ImageRecord per image (the id is its config's sha256)
 *   tmp/                 work in progress: a pull or load writes here and renames at the end
 */
import { join } from 'node:path';

export class ImageLayout {
  readonly root: string;
  readonly blobs: string;
  readonly layers: string;
  readonly images: string;
  readonly tmp: string;

  constructor(readonly stateDir: string) {
    this.root = join(stateDir, 'images');
    this.blobs = join(this.root, 'blobs', 'sha256');
    this.layers = join(this.root, 'layers');
    this.images = join(this.root, 'images');
    this.tmp = join(this.root, 'tmp');
  }

  /** A blob by its digest's hex. */
  blob(hex: string): string {
    return join(this.blobs, hex);
  }
  layer(diffHex: string): string {
    return join(this.layers, diffHex);
  }
  image(id: string): string {
    return join(this.images, `${id}.json`);
  }
}
