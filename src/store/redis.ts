/**
 * Redis connections from a URL: redis://[user:pass@]host:port[/db], rediss:// (TLS), and
 * unix:///path/to.sock (the embedded default). Connecting fails fast with EUNAVAIL instead of
 * retrying forever, so a client never hangs on an unreachable Redis; a Redis that wants a
 * password, or refuses the one given, says so (NOAUTH, WRONGPASS) rather than "cannot reach".
 */
import { Redis, type RedisOptions } from 'ioredis';
import { BerthError, isRedisAuthError, redisAuthError } from '../errors.js';
import { quoted } from '../printable.js';
import { redactUrl } from '../redact.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export function redisOptionsFromUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BerthError('EINVAL', `\`--redis\` must be a redis://, rediss:// or unix:// URL, got ${quoted(describeRedis(url))}`);
  }
  const auth = {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
  };
  switch (parsed.protocol) {
    case 'unix:':
    case 'redis+unix:':
      if (!parsed.pathname) throw new BerthError('EINVAL', `\`--redis\` unix URL needs a socket path, got ${quoted(describeRedis(url))}`);
      return { path: decodeURIComponent(parsed.pathname), ...auth };
    case 'redis:':
    case 'rediss:': {
      const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
      if (!Number.isInteger(db) || db < 0) throw new BerthError('EINVAL', `\`--redis\` database must be a number, got ${quoted(describeRedis(url))}`);
      return {
        host: parsed.hostname || '127.0.0.1',
        port: parsed.port ? Number(parsed.port) : 6379,
        db,
        ...auth,
        ...(parsed.protocol === 'rediss:' ? { tls: { servername: parsed.hostname } } : {}),
      };
    }
    default:
      throw new BerthError('EINVAL', `\`--redis\` must be a redis://, rediss:// or unix:// URL, got ${quoted(describeRedis(url))}`);
  }
}

/**
 * The URL for messages and logs: never its password. A unix URL is shown as its socket path
 * (`unix:///var/lib/berth/redis.sock`), whatever credentials it carries; any other URL with its
 * password as `***`; a string that does not parse, with everything before its last `@` hidden.
 */
export function describeRedis(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol === 'unix:' || u.protocol === 'redis+unix:') return `${u.protocol}//${u.pathname}`;
  } catch {
    // redactUrl copes with it
  }
  return redactUrl(url);
}

export interface ConnectOptions {
  timeoutMs?: number;
  /** For BullMQ's blocking connections: never fail a command for lack of retries. */
  blocking?: boolean;
  name?: string;
  /** Told of connection errors (reconnects); commands that fail reject on their own. */
  onError?: (err: Error) => void;
}

/** Opens a connection and waits until it is ready, or fails with EUNAVAIL within the timeout. */
export async function connectRedis(url: string, opts: ConnectOptions = {}): Promise<Redis> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const client = new Redis({
    ...redisOptionsFromUrl(url),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: opts.blocking ? null : 3,
    ...(opts.name ? { connectionName: opts.name } : {}),
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // Connection errors also reject the commands they affect; the event only reports retries,
  // which would otherwise print "Unhandled error event" on every reconnect attempt.
  let lastError: Error | undefined;
  client.on('error', (err: Error) => {
    lastError = err;
    opts.onError?.(err);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return client;
  } catch (err) {
    client.disconnect();
    // a Redis that wants a password is reachable: say what it wants
    if (isRedisAuthError(lastError)) throw redisAuthError(lastError as Error, `Redis at ${describeRedis(url)}`);
    // "Connection is closed" says less than the error that closed it (ECONNREFUSED, ENOENT, …)
    const reason = lastError?.message ?? (err instanceof Error ? err.message : String(err));
    throw new BerthError('EUNAVAIL', `cannot reach Redis at ${describeRedis(url)}: ${reason}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes a connection: QUIT when it is up (pending replies arrive first), else at once. ioredis
 * settles nothing on a connection between reconnection attempts (no socket, so no 'close' or
 * 'end' event): a QUIT, a pending blocking read or BullMQ's close, which waits for 'end', would
 * wait for good there (seen right after a Redis restart). `isUp` tells which case a caller is in.
 */
export async function closeRedis(conn: Redis): Promise<void> {
  if (!isUp(conn)) return conn.disconnect();
  await conn.quit().catch(() => conn.disconnect());
}

/** The connection has a socket that answers: closing it settles its pending commands. */
export function isUp(conn: { status: string }): boolean {
  return conn.status === 'ready';
}

/**
 * Where Redis keeps its data (CONFIG GET dir), when it says and it is not `/`: on a node that
 * shares the host with Redis, no container's rootfs may expose it (oci/rootfs-policy.ts).
 * Nothing when CONFIG is refused or renamed.
 */
export async function redisDataDir(conn: Redis): Promise<string | undefined> {
  try {
    const reply: unknown = await conn.config('GET', 'dir');
    const dir = Array.isArray(reply) ? (reply as unknown[])[1] : undefined;
    return typeof dir === 'string' && dir.startsWith('/') && dir !== '/' ? dir : undefined;
  } catch {
    return undefined;
  }
}
