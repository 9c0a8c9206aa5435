/**
 * The embedded default: a private redis-server on a unix socket in Berth's state dir (AOF on,
 * no TCP port), as `berth up` runs it. Nothing a container can reach: the state dir is 0700, the
 * socket 0700, no container's rootfs may lie in the state dir and containers have their own
 * network namespace; and Redis requires the password kept in the state dir (embedded-password.ts),
 * handed to redis-server on its stdin, never on its command line, where `ps` would show it. Readiness is event driven: redis-server prints "Ready to
 * accept connections" on its stdout (worded differently across versions); one connection then
 * confirms it answers. Used by `berth up`,
 * the demo and the tests.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import { BerthError, isRedisAuthError } from '../errors.js';
import { connectRedis, describeRedis } from '../store/redis.js';
import { SOCKET_NAME, embeddedRedisUrl } from './context.js';
import { ensureEmbeddedPassword, passwordFile } from './embedded-password.js';

export interface EmbeddedRedisOptions {
  /** The state dir: socket, AOF files and working dir. Created if missing. */
  dir: string;
  /** The redis-server binary (default: `redis-server` on PATH). */
  binary?: string;
  /** How long to wait for redis-server to accept connections (default 10 s). */
  readyTimeoutMs?: number;
}

export interface EmbeddedRedis {
  /** The URL to connect with: the socket, and the password. */
  url: string;
  socket: string;
  /** Where the password is kept (mode 0600). */
  passwordFile: string;
  pid: number;
  /** Settles when redis-server exits, for whatever reason, with its exit code (or signal). */
  exited: Promise<{ exitCode: number | undefined; signal: string | undefined }>;
  /** SIGTERM, then waits for it to exit (it fsyncs the AOF first). Idempotent. */
  stop(): Promise<void>;
}

export const DEFAULT_EMBEDDED_REDIS_OPTIONS = Object.freeze({ binary: 'redis-server', readyTimeoutMs: 10_000 });

/**
 * What redis-server logs once it listens: "Ready to accept connections unix" (7.2+), "The server
 * is now ready to accept connections at <socket>" (7.0, unix socket only).
 */
const READY = /ready to accept connections/i;

/** Longest unix socket path the kernel takes (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * redis-server's arguments: the rest of its configuration from stdin (`-`: the password), a unix
 * socket only (mode 700), AOF every second, no RDB snapshots.
 */
export function embeddedRedisArgs(dir: string): string[] {
  return [
    '-',
    '--unixsocket', join(dir, SOCKET_NAME),
    '--unixsocketperm', '700',
    '--port', '0',
    '--dir', dir,
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--save', '',
    '--daemonize', 'no',
  ];
}

/** What redis-server reads on its stdin: the password clients must give. */
export function embeddedRedisConfig(password: string): string {
  return `requirepass ${password}\n`;
}

/**
 * The process id of the Redis answering at `url`, or null when none answers. One that refuses the
 * password answers too (another `berth up` with another password file): its pid is unknown.
 */
export async function probeRedis(url: string, timeoutMs = 1000): Promise<{ pid: number | undefined } | null> {
  let redis;
  try {
    redis = await connectRedis(url, { timeoutMs, name: 'berth-probe' });
  } catch (err) {
    return err instanceof BerthError && isRedisAuthError(err.cause) ? { pid: undefined } : null;
  }
  try {
    const info = await redis.info('server');
    const pid = /^process_id:(\d+)/m.exec(info)?.[1];
    return { pid: pid === undefined ? undefined : Number(pid) };
  } catch {
    return { pid: undefined };
  } finally {
    redis.disconnect();
  }
}

export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const o = { ...DEFAULT_EMBEDDED_REDIS_OPTIONS, ...options };
  if (typeof o.dir !== 'string' || !o.dir.startsWith('/')) {
    throw new BerthError('EINVAL', `\`dir\` must be an absolute path, got ${JSON.stringify(o.dir)} (${typeof o.dir})`);
  }
  const socket = join(o.dir, SOCKET_NAME);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw new BerthError('EINVAL', `the Redis socket path ${socket} is longer than ${MAX_SOCKET_PATH} bytes: use a shorter --state-dir`);
  }
  // the dir may exist already, made by hand or by an older berth: its owner only
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  await chmod(o.dir, 0o700);
  const password = ensureEmbeddedPassword(o.dir);
  const url = embeddedRedisUrl(o.dir, password);
  // redis-server unlinks an existing socket file before binding: never do that to a live one
  if (existsSync(socket)) {
    const live = await probeRedis(url);
    if (live) {
      const pid = live.pid === undefined ? '' : ` (pid ${live.pid})`;
      throw new BerthError(
        'EEXIST',
        `a Redis already answers at ${describeRedis(url)}${pid}: another \`berth up\` runs with state dir ${o.dir}; use it, or stop it first`,
      );
    }
  }

  // its own process group: a Ctrl-C in the terminal reaches `berth up`, which stops Redis last
  const proc: ResultPromise = execa(o.binary, embeddedRedisArgs(o.dir), {
    input: embeddedRedisConfig(password),
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    detached: true,
    cleanup: false,
  });
  const killOnExit = () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
  };
  process.on('exit', killOnExit);

  const recent: string[] = [];
  const remember = (line: string) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
  };
  const stdout = createInterface({ input: proc.stdout! });
  const stderr = createInterface({ input: proc.stderr! });
  stderr.on('line', remember);
  const exited = proc.then((r) => {
    process.off('exit', killOnExit);
    return { exitCode: r.exitCode, signal: r.signal, failure: r.failed ? r : undefined };
  });

  const deadline = Date.now() + o.readyTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolveReady, reject) => {
      stdout.on('line', (line) => {
        remember(line);
        if (READY.test(line)) resolveReady();
      });
      void exited.then(({ exitCode, signal, failure }) => {
        if (failure && 'code' in failure && failure.code === 'ENOENT') {
          reject(new BerthError('ENORUNTIME', `${o.binary} not found: install it with \`apt-get install redis-server\``));
          return;
        }
        const how = signal ? `signal ${signal}` : `exit code ${String(exitCode)}`;
        const said = recent.filter((l) => l.trim() !== '').slice(-3).join(' | ');
        reject(new BerthError('EUNAVAIL', `${o.binary} exited before accepting connections (${how})${said ? `: ${said}` : ''}`));
      });
      timer = setTimeout(
        () => reject(new BerthError('ETIMEOUT', `${o.binary} did not accept connections within ${o.readyTimeoutMs} ms`)),
        o.readyTimeoutMs,
      );
    });
    const check = await connectRedis(url, { timeoutMs: Math.max(500, deadline - Date.now()), name: 'berth-up-check' });
    await check.ping();
    check.disconnect();
  } catch (err) {
    killOnExit();
    await exited;
    throw err;
  } finally {
    clearTimeout(timer);
  }

  let stopping: Promise<void> | undefined;
  return {
    url,
    socket,
    passwordFile: passwordFile(o.dir),
    pid: proc.pid!,
    exited: exited.then(({ exitCode, signal }) => ({ exitCode, signal })),
    stop() {
      stopping ??= (async () => {
        killOnExit();
        await exited;
        stdout.close();
        stderr.close();
      })();
      return stopping;
    },
  };
}
