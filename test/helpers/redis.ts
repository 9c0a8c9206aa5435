/**
 * A private redis-server per test run: its own unix socket in a fresh tmp dir (or, with `tcp`, a
 * free port on 127.0.0.1 as well, as a Redis a container could try to reach), stopped after; with
 * `password`, it requires it (requirepass) and `url` carries it. Waits for "ready to accept
 * connections" on its stdout rather than polling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

export interface TestRedis {
  url: string;
  dir: string;
  /** The TCP port on 127.0.0.1 (with `tcp`), else 0. */
  port: number;
  /**
   * Stops redis-server (it writes its AOF first), runs `whileDown`, and starts it again on the
   * same socket and dir.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(opts: { aof?: boolean; password?: string; tcp?: boolean } = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-redis-'));
  const socket = join(dir, 'redis.sock');
  const port = opts.tcp ? await freePort() : 0;
  const auth = opts.password === undefined ? [] : ['--requirepass', opts.password];
  let { proc } = await launch(dir, socket, opts.aof === true, port, auth);
  const userinfo = opts.password === undefined ? '' : `:${encodeURIComponent(opts.password)}@`;
  return {
    url: port ? `redis://${userinfo}127.0.0.1:${port}` : opts.password === undefined ? `unix://${socket}` : `unix://${userinfo}localhost${socket}`,
    dir,
    port,
    async restart(whileDown) {
      proc.kill('SIGTERM');
      await proc;
      await whileDown?.();
      ({ proc } = await launch(dir, socket, opts.aof === true, port, auth));
    },
    async stop() {
      proc.kill('SIGTERM');
      await proc;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Wrapped: a subprocess is a thenable, and awaiting it would wait for its exit. */
/** A port nothing listens on right now, from the kernel. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function launch(dir: string, socket: string, aof: boolean, port: number, extra: readonly string[]): Promise<{ proc: ResultPromise }> {
  const proc: ResultPromise = execa(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--unixsocket', socket, '--unixsocketperm', '700', '--dir', dir, '--save', '', '--appendonly', aof ? 'yes' : 'no', '--appendfsync', 'everysec', ...extra],
    { reject: false, stdout: 'pipe', stderr: 'pipe' },
  );
  await redisReady(proc);
  return { proc };
}

/** Resolves once redis-server says it accepts connections; rejects (with its output) if it exits first. */
export function redisReady(proc: ResultPromise): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (/ready to accept connections/i.test(out)) {
        proc.stdout?.off('data', onData);
        resolve();
      }
    };
    proc.stdout?.on('data', onData);
    void proc.then((r) => reject(new Error(`redis-server exited early (${String(r.exitCode)}): ${out}${String(r.stderr)}`)));
  });
}

/** A unique key prefix (a hash tag) per test file. */
export function testPrefix(name: string): string {
  return `{berth-test-${name}-${process.pid}}`;
}
