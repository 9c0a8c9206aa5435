/** sha256 digests, computed while bytes stream to disk, so nothing unverified is kept. */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BerthError } from '../errors.js';

export const SHA256 = /^sha256:([a-f0-9]{64})$/;

/** The hex of a `sha256:<hex>` digest; anything else is EINVAL naming `what`. */
export function digestHex(digest: unknown, what: string): string {
  const m = typeof digest === 'string' ? SHA256.exec(digest) : null;
  if (!m) throw new BerthError('EINVAL', `${what}: unsupported or malformed digest ${JSON.stringify(String(digest).slice(0, 80))} (sha256 only)`);
  return m[1]!;
}

/**
 * Writes `source` to `dest` (through a temp name next to it) only if its sha256 is `hex`; a
 * mismatch leaves nothing behind and is EINVAL naming `what`. `onBytes` reports progress.
 */
export async function writeVerified(source: Readable, dest: string, hex: string, what: string, onBytes?: (n: number) => void): Promise<number> {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
  });
  const tmp = `${dest}.part-${process.pid}-${Date.now()}`;
  try {
    await pipeline(source, tap, createWriteStream(tmp));
    const got = hash.digest('hex');
    if (got !== hex) throw new BerthError('EINVAL', `${what}: digest mismatch: expected sha256:${hex}, got sha256:${got}`);
    await rename(tmp, dest);
    return size;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Whether a file starts with gzip's magic bytes. */
export async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** The sha256 of a layer's uncompressed tar (its diff Id's hex), gunzipping when needed. */
export async function diffHexOf(file: string): Promise<string> {
  const hash = createHash('sha256');
  const sink = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb();
    },
  });
  const gzip = await isGzip(file);
  try {
    if (gzip) await pipeline(createReadStream(file), createGunzip(), sink);
    else await pipeline(createReadStream(file), sink);
  } catch (err) {
    throw new BerthError('EINVAL', `layer ${file.split('/').pop() ?? ''}: corrupt or truncated compressed data (${(err as Error).message})`, { cause: err });
  }
  return hash.digest('hex');
}

/** The sha256 hex of a file. */
export async function fileHex(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
