/**
 * What every verb shares: the global options (`--redis`, `--redis-file`, `--log-level`,
 * `--state-dir`), where Redis is (`--redis` > `--redis-file` > BERTH_REDIS_URL >
 * BERTH_REDIS_URL_FILE > the embedded default's socket in the state dir), the connection through
 * `Berth.connect` with a timeout, printing, and the process exit code.
 */
import { constants, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { BerthError, isRedisAuthError, toBerthError } from '../errors.js';
import { Berth, type BerthClient } from '../queue/client.js';
import { readSecret } from '../read-secret.js';
import { passwordFile, readEmbeddedPassword } from './embedded-password.js';
import { parseLogLevel } from './flags.js';
import { errorLine, exitCodeOf, type ErrorContext } from './output.js';

export interface GlobalOptions {
  redis?: string;
  /** A file holding the Redis URL (a password stays out of `ps`). */
  redisFile?: string;
  logLevel?: string;
  stateDir?: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The embedded Redis's socket, in the state dir. */
export const SOCKET_NAME = 'redis.sock';
/** Connecting gives up after this long, so an unreachable Redis is reported within 5 s. */
export const CLI_CONNECT_TIMEOUT_MS = 3000;

/** /var/lib/berth as root, else ~/.local/share/berth ($XDG_DATA_HOME/berth when set). */
export function defaultStateDir(env: Env = process.env, uid: number = process.getuid?.() ?? -1): string {
  if (uid === 0) return '/var/lib/berth';
  const data = env['XDG_DATA_HOME'] || join(env['HOME'] || homedir(), '.local', 'share');
  return join(data, 'berth');
}

/** `--state-dir` > BERTH_STATE_DIR > the default; always absolute. */
export function resolveStateDir(opts: GlobalOptions, env: Env = process.env): string {
  return resolve(opts.stateDir || env['BERTH_STATE_DIR'] || defaultStateDir(env));
}

/**
 * unix:// URL of the embedded Redis's socket in `stateDir` (path segments URL-encoded); with its
 * password, `unix://:PASSWORD@localhost/<path>` (a URL needs a host to carry a password).
 */
export function embeddedRedisUrl(stateDir: string, password?: string): string {
  const path = join(stateDir, SOCKET_NAME).split('/').map(encodeURIComponent).join('/');
  return password === undefined ? `unix://${path}` : `unix://:${encodeURIComponent(password)}@localhost${path}`;
}

export interface RedisTarget {
  url: string;
  /** No URL was given: this is the socket of `berth up` in the state dir. */
  embedded: boolean;
  stateDir: string;
}

/**
 * `--redis` > `--redis-file` > BERTH_REDIS_URL > BERTH_REDIS_URL_FILE > the embedded default:
 * unix://<state dir>/redis.sock, with the password `berth up` keeps in <state dir>/redis.password.
 */
export function resolveRedis(opts: GlobalOptions, env: Env = process.env): RedisTarget {
  const stateDir = resolveStateDir(opts, env);
  const given = readSecret({
    flag: { name: '--redis', value: opts.redis || undefined },
    fileFlag: { name: '--redis-file', value: opts.redisFile },
    envName: 'BERTH_REDIS_URL',
    env,
  });
  if (given) return { url: given.value, embedded: false, stateDir };
  return { url: embeddedRedisUrl(stateDir, readEmbeddedPassword(stateDir)), embedded: true, stateDir };
}

type GlobalKey = keyof GlobalOptions;

const GLOBAL_OPTIONS: Record<GlobalKey, () => Option> = {
  redis: () =>
    new Option(
      '--redis <url>',
      'Redis URL: redis://[user:password@]host:port[/db], rediss:// (TLS) or unix:///path/to.sock (env BERTH_REDIS_URL; default: the socket of `berth up` in the state dir). A password here shows in `ps`: prefer --redis-file',
    ),
  redisFile: () =>
    new Option('--redis-file <path>', 'a file holding the Redis URL, password included (env BERTH_REDIS_URL_FILE); keeps the password out of `ps`'),
  logLevel: () => new Option('--log-level <level>', 'log level: fatal, error, warn, info, debug, trace or silent (env BERTH_LOG_LEVEL; default info)'),
  stateDir: () =>
    new Option(
      '--state-dir <dir>',
      "Berth's state dir: the embedded Redis (socket, AOF), runc state, bundles, logs and exit files (env BERTH_STATE_DIR; default /var/lib/berth as root, else ~/.local/share/berth)",
    ),
};

/**
 * Adds the global options to a command. The program shows them; each subcommand accepts them
 * too (so `berth inspect web --redis URL` works with positional options on), shown only where
 * listed in `visible`.
 */
export function withGlobalOptions(cmd: Command, visible: readonly GlobalKey[] = []): Command {
  // --redis-file is shown wherever --redis is
  const shown = (key: GlobalKey) => visible.includes(key === 'redisFile' ? 'redis' : key);
  for (const key of Object.keys(GLOBAL_OPTIONS) as GlobalKey[]) {
    cmd.addOption(GLOBAL_OPTIONS[key]().hideHelp(!shown(key)));
  }
  return cmd;
}

/** The global options as given on `cmd` or any command above it (the nearest wins). */
export function globalsOf(cmd: Command): GlobalOptions {
  const out: GlobalOptions = {};
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.opts<GlobalOptions>();
    for (const key of ['redis', 'redisFile', 'logLevel', 'stateDir'] as const) {
      if (out[key] === undefined && typeof o[key] === 'string') out[key] = o[key];
    }
  }
  if (out.logLevel !== undefined) parseLogLevel(out.logLevel);
  return out;
}

/** Where output goes: one call per line, without its newline; or raw bytes (a container's output). */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Writes bytes as they are; resolves once the stream can take more (backpressure). */
  write(to: 'out' | 'err', bytes: Buffer): Promise<void>;
}

export const processIo: Io = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
  write: (to, bytes) => {
    const stream = to === 'err' ? process.stderr : process.stdout;
    return stream.write(bytes) ? Promise.resolve() : new Promise((resolve) => stream.once('drain', resolve));
  },
};

/** One run of the CLI: its output, its environment and the exit code it ends with. */
export class Invocation {
  exitCode = 0;

  constructor(
    readonly io: Io = processIo,
    readonly env: Env = process.env,
  ) {}

  print(line: string): void {
    this.io.out(line);
  }

  /** Prints the one-line error and records its exit code (the first failure's). */
  fail(err: unknown, ctx: ErrorContext = {}): void {
    this.io.err(errorLine(err, ctx));
    if (this.exitCode === 0) this.exitCode = exitCodeOf(err, ctx.verb ?? ctx.command);
  }

  globals(cmd: Command): GlobalOptions {
    return globalsOf(cmd);
  }

  stateDir(cmd: Command): string {
    return resolveStateDir(this.globals(cmd), this.env);
  }

  redis(cmd: Command): RedisTarget {
    return resolveRedis(this.globals(cmd), this.env);
  }

  /** A client through `Berth.connect`; an unreachable Redis fails with EUNAVAIL naming it. */
  async connect(cmd: Command): Promise<BerthClient> {
    const target = this.redis(cmd);
    try {
      return await Berth.connect({ redis: target.url, timeoutMs: CLI_CONNECT_TIMEOUT_MS });
    } catch (err) {
      const e = toBerthError(err, 'EUNAVAIL');
      if (e.code !== 'EUNAVAIL' || !target.embedded) throw e;
      if (isRedisAuthError(e.cause)) {
        throw new BerthError('EUNAVAIL', `${e.message} (\`berth up\` keeps it in ${passwordFile(target.stateDir)})`, { cause: err });
      }
      throw new BerthError(
        'EUNAVAIL',
        `${e.message} (is \`berth up\` running with state dir ${target.stateDir}? or give --redis URL, --redis-file, BERTH_REDIS_URL or BERTH_REDIS_URL_FILE)`,
        { cause: err },
      );
    }
  }

  /** Runs `fn` with a connected client and closes it after, whatever happens. */
  async withClient<T>(cmd: Command, fn: (client: BerthClient) => Promise<T>): Promise<T> {
    const client = await this.connect(cmd);
    try {
      return await fn(client);
    } finally {
      await client.close();
    }
  }
}

/**
 * Resolves with the first SIGINT or SIGTERM; a second one while shutting down exits at once
 * (128 + the signal's number).
 */
export function untilSignal(signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const first = (sig: NodeJS.Signals) => {
      for (const s of signals) process.off(s, first);
      for (const s of signals) process.once(s, (again) => process.exit(128 + (constants.signals[again] ?? 0)));
      resolveSignal(sig);
    };
    for (const s of signals) process.on(s, first);
  });
}
