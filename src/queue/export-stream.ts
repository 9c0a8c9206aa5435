/**
 * An export's bytes from the node to any client (invariant 10): the node runs `tar -c` on the
 * container's root and appends its output to a Redis stream in chunks of at most CHUNK bytes,
 * then an end entry {end, x: tar's exit code, e: its last error line}. The stream is bounded: the
 * node keeps at most WINDOW chunks the client has not acknowledged (the client XADDs each id it
 * consumed to the ack stream and deletes the chunk; the node blocks on the ack stream, on a
 * connection of its own), and gives up when no acknowledgement comes for IDLE_MS (a vanished
 * reader). Both keys expire after TTL_MS whatever happens.
 */
import type { Redis } from 'ioredis';
import { execa } from 'execa';
import { Readable } from 'node:stream';
import { BerthError } from '../errors.js';
import type { Keys } from '../store/keys.js';

export const CHUNK = 256 * 1024;
export const WINDOW = 16;
export const IDLE_MS = 60_000;
const TTL_MS = 3_600_000;

type Raw = [id: Buffer, fields: Buffer[]][];

function fieldsOf(fields: Buffer[]): Map<string, Buffer> {
  const f = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!.toString('latin1'), fields[i + 1]!);
  return f;
}

/** The node's side: `tar -c` of `root` (argument array) into the stream; resolves to tar's exit code. */
export async function shipExport(redis: Redis, keys: Keys, id: string, session: string, root: string): Promise<number> {
  const k = keys.exportStreams(id, session);
  const acks = redis.duplicate({ maxRetriesPerRequest: null, connectionName: 'berth-export-acks' });
  const tar = execa('tar', ['-c', '-f', '-', '--numeric-owner', '-C', root, '.'], { stdin: 'ignore', buffer: false, reject: false, stderr: 'pipe' });
  let stderr = '';
  tar.stderr?.on('data', (b: Buffer) => void (stderr = (stderr + b.toString()).slice(-2000)));
  let unacked = 0;
  let ackAfter = '0';
  const waitForRoom = async () => {
    while (unacked >= WINDOW) {
      const r = (await acks.xreadBuffer('COUNT', 100, 'BLOCK', IDLE_MS, 'STREAMS', k.ack, ackAfter)) as [Buffer, Raw][] | null;
      const got = r?.[0]?.[1] ?? [];
      if (got.length === 0) throw new BerthError('ETIMEOUT', `export of container ${id}: no reader for ${IDLE_MS} ms`, { container: id, command: 'export' });
      ackAfter = got[got.length - 1]![0].toString('latin1');
      unacked -= got.length;
    }
  };
  try {
    let pending: Buffer[] = [];
    let size = 0;
    const flush = async () => {
      if (size === 0) return;
      await waitForRoom();
      await redis.xadd(k.data, '*', 'b', Buffer.concat(pending, size));
      await redis.pexpire(k.data, TTL_MS);
      unacked++;
      pending = [];
      size = 0;
    };
    for await (const chunk of tar.stdout as AsyncIterable<Buffer>) {
      for (let at = 0; at < chunk.length; ) {
        const piece = chunk.subarray(at, at + (CHUNK - size));
        pending.push(piece);
        size += piece.length;
        at += piece.length;
        if (size >= CHUNK) await flush();
      }
    }
    await flush();
    const code = (await tar).exitCode ?? -1;
    await redis.xadd(k.data, '*', 'end', '1', 'x', String(code), 'e', stderr.trim().split('\n').pop() ?? '');
    await redis.pexpire(k.data, TTL_MS);
    return code;
  } catch (err) {
    tar.kill();
    await redis.del(k.data, k.ack);
    throw err;
  } finally {
    acks.disconnect();
  }
}

/**
 * The client's side: a Readable of the tar, read a chunk at a time as it is consumed; each chunk
 * acknowledged and deleted once read. It errors when tar failed on the node (EOCI with its last
 * line) or when `started` (the storage job) fails.
 */
export function readExport(redis: Redis, conn: Redis, keys: Keys, id: string, session: string, started: Promise<unknown>): Readable {
  const k = keys.exportStreams(id, session);
  let after = '0';
  let failed: unknown = null;
  started.catch((err: unknown) => void (failed = err));
  const cleanup = () => {
    conn.disconnect();
    void redis.del(k.data, k.ack).catch(() => undefined);
  };
  return new Readable({
    async read() {
      try {
        for (;;) {
          if (failed) throw failed;
          const r = (await conn.xreadBuffer('COUNT', 1, 'BLOCK', 1000, 'STREAMS', k.data, after)) as [Buffer, Raw][] | null;
          const entry = r?.[0]?.[1]?.[0];
          if (!entry) continue;
          after = entry[0].toString('latin1');
          const f = fieldsOf(entry[1]);
          const end = f.get('end');
          if (end !== undefined) {
            const code = Number(f.get('x')?.toString());
            if (code !== 0) throw new BerthError('EOCI', `export of container ${id} failed: tar exited ${code}: ${f.get('e')?.toString() ?? ''}`, { container: id, command: 'export' });
            cleanup();
            this.push(null);
            return;
          }
          await redis.xadd(k.ack, '*', 'id', after);
          await redis.pexpire(k.ack, TTL_MS);
          await redis.xdel(k.data, after);
          this.push(f.get('b') ?? Buffer.alloc(0));
          return;
        }
      } catch (err) {
        cleanup();
        this.destroy(err instanceof Error ? err : new Error(String(err)));
      }
    },
    destroy(err, cb) {
      cleanup();
      cb(err);
    },
  });
}
