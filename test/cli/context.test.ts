/**
 * Where the CLI looks for Redis and its state dir, and the program run in-process (no Redis
 * needed: flags are checked before anything connects).
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureEmbeddedPassword } from '../../src/cli/embedded-password.js';
import { main } from '../../src/cli/main.js';
import { defaultStateDir, embeddedRedisUrl, resolveRedis, resolveStateDir, type Env, type Io } from '../../src/cli/context.js';
import { mermaidOf } from '../../src/cli/graph.js';
import { containerMachine } from '../../src/machines/index.js';
import { ROOT } from './run-cli.js';

/** Runs `berth ARGS…` in this process with captured output and the given environment. */
async function run(args: string[], env: Env = {}): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => void out.push(l), err: (l) => void err.push(l), write: async (to, b) => void (to === 'out' ? out : err).push(b.toString()) };
  const code = await main(['node', 'berth', ...args], io, { BERTH_STATE_DIR: '/nonexistent/berth-test', ...env });
  return { code, out, err };
}

describe('cli context', () => {
  describe('the state dir', () => {
    it('defaults to /var/lib/berth for root, else ~/.local/share/berth ($XDG_DATA_HOME/berth)', () => {
      expect(defaultStateDir({}, 0)).to.equal('/var/lib/berth');
      expect(defaultStateDir({ HOME: '/home/u' }, 1000)).to.equal('/home/u/.local/share/berth');
      expect(defaultStateDir({ HOME: '/home/u', XDG_DATA_HOME: '/data' }, 1000)).to.equal('/data/berth');
    });

    it('is --state-dir, else BERTH_STATE_DIR, else the default; always absolute', () => {
      expect(resolveStateDir({ stateDir: '/a' }, { BERTH_STATE_DIR: '/b' })).to.equal('/a');
      expect(resolveStateDir({}, { BERTH_STATE_DIR: '/b' })).to.equal('/b');
      expect(resolveStateDir({}, { HOME: '/home/u' })).to.equal(defaultStateDir({ HOME: '/home/u' }));
      expect(resolveStateDir({ stateDir: 'rel' }, {})).to.equal(`${process.cwd()}/rel`);
    });
  });

  describe('Redis', () => {
    it('is --redis, else BERTH_REDIS_URL, else the embedded socket in the state dir', () => {
      expect(resolveRedis({ redis: 'redis://a:1' }, { BERTH_REDIS_URL: 'redis://b:2' })).to.include({ url: 'redis://a:1', embedded: false });
      expect(resolveRedis({}, { BERTH_REDIS_URL: 'rediss://b:2' })).to.include({ url: 'rediss://b:2', embedded: false });
      expect(resolveRedis({ stateDir: '/s' }, { BERTH_REDIS_URL: '' })).to.deep.equal({
        url: 'unix:///s/redis.sock',
        embedded: true,
        stateDir: '/s',
      });
    });

    it("the embedded default carries the password `berth up` keeps in the state dir", () => {
      const dir = mkdtempSync(join(tmpdir(), 'berth-ctx-'));
      try {
        expect(resolveRedis({ stateDir: dir }, {}).url).to.equal(`unix://${dir}/redis.sock`); // no `berth up` yet
        const password = ensureEmbeddedPassword(dir);
        expect(resolveRedis({ stateDir: dir }, {})).to.deep.equal({ url: embeddedRedisUrl(dir, password), embedded: true, stateDir: dir });
        expect(embeddedRedisUrl('/s', 'p/w')).to.equal('unix://:p%2Fw@localhost/s/redis.sock');
        rmSync(join(dir, 'redis.password'));
        mkdirSync(join(dir, 'redis.password'));
        const e = (() => {
          try {
            resolveRedis({ stateDir: dir }, {});
          } catch (err) {
            return err as Error;
          }
          return undefined;
        })();
        expect(e?.message).to.equal(
          `cannot read the embedded Redis's password file ${dir}/redis.password (EISDIR): it is readable by its owner only; run berth as that user (root for /var/lib/berth), or give --redis-file`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('encodes the socket path in the URL', () => {
      expect(embeddedRedisUrl('/tmp/a b')).to.equal('unix:///tmp/a%20b/redis.sock');
      expect(decodeURIComponent(new URL(embeddedRedisUrl('/tmp/a#b')).pathname)).to.equal('/tmp/a#b/redis.sock');
    });
  });

  describe('the program, in-process', () => {
    it('prints help and the version with exit 0', async () => {
      const help = await run(['--help']);
      expect(help.code).to.equal(0);
      expect(help.out.join('\n')).to.contain('Usage: berth');
      const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
      const version = await run(['--version']);
      expect(version).to.deep.include({ code: 0, out: [pkg.version] });
    });

    it('prints the statechart without Redis', async () => {
      const r = await run(['graph']);
      expect(r.code).to.equal(0);
      expect(r.out).to.deep.equal([mermaidOf(containerMachine)]);
    });

    const refused: Array<[string[], string]> = [
      [['kill', '-s', 'NOPE', 'web'], 'Error: kill web: unknown signal "NOPE" for `-s`'],
      [['stop', '-t', 'soon', 'a', 'b'], 'Error: stop a b: `-t` must be a whole number of seconds >= 0, got "soon"'],
      [['restart', '--time=-1', 'a'], 'Error: restart a: `-t` must be a whole number of seconds >= 0, got "-1"'],
      [['create', '--name', 'bad name', '--rootfs', '/r', 'sh'], 'Error: create: invalid name "bad name" for `--name`: names must match ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$'],
      [['run', '--rootfs', '/r', '-e', 'NOPE', 'sh'], 'Error: run: `--env` must be KEY=VALUE, got "NOPE"'],
      [['create', '--rootfs', '/r', '--stop-timeout', '1.5', 'sh'], 'Error: create: `--stop-timeout` must be a whole number of seconds >= 0, got "1.5"'],
      [['create', '--rootfs', '/r', '--stop-signal', 'NOPE', 'sh'], 'Error: create: unknown signal "NOPE" for `--stop-signal`'],
      [['create'], "Error: missing required argument 'image|command'"],
      [['ps', '--format', 'yaml'], 'Error: ps: `--format` must be table, json or a Go template such as {{.Names}}, got "yaml"'],
      [['ps', '--format', '{{.Names'], 'Error: template: ps:1: unclosed action'],
      [['history', 'web', '--format', 'yaml'], 'Error: history web: `--format` must be table or json, got "yaml"'],
      [['inspect', '-f', '{{.State}', 'web'], 'Error: inspect web: template: inspect:1: unexpected "}" in operand'],
      [['inspect', '-f', '{{nofunc .State}}', 'web'], 'Error: inspect web: template: inspect:1: function "nofunc" not defined'],
      [['--log-level', 'loud', 'ps'], 'Error: ps: `--log-level` must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
      [['worker'], 'Error: worker: `--node` is required: the name of this node'],
      [['worker', '--node', 'n1', '--concurrency', '0'], 'Error: worker: `--concurrency` must be a positive integer, got "0"'],
      [['worker', '--node', 'n1', '--log-max-lines', '0'], 'Error: worker: `--log-max-lines` must be a positive integer, got "0"'],
      [['logs', '--tail', 'x', 'web'], 'Error: logs web: `--tail` must be a whole number of lines (negative: all), got "x"'],
      [['logs', '--since', 'yesterday', 'a', 'b'], 'Error: logs a b: `--since` must be an RFC 3339 time (2026-12-02T19:05:40Z), a date, a Unix time or a duration (10m, 1h30m), got "yesterday"'],
      [['logs', '--until', '2026-13-01', 'web'], 'Error: logs web: `--until` must be an RFC 3339 time (2026-12-02T19:05:40Z), a date, a Unix time or a duration (10m, 1h30m), got "2026-13-01"'],
      [['logs'], "Error: missing required argument 'containers'"],
      [['up', '--node', '-x'], 'Error: up: invalid name "-x" for `--node`: names must match ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$'],
      [['stop'], "Error: missing required argument 'containers'"],
      [['stop', '--bogus', 'web'], "Error: unknown option '--bogus'"],
      [['frobnicate'], "Error: unknown command 'frobnicate'"],
    ];
    for (const [args, line] of refused) {
      it(`refuses \`berth ${args.join(' ')}\` with exit 125 and one line, before connecting`, async () => {
        const r = await run(args);
        expect(r.code).to.equal(125);
        expect(r.out).to.deep.equal([]);
        expect(r.err).to.deep.equal([line]);
      });
    }

    it('takes the global options after the verb too, and everything after the command as its argv', async () => {
      // an unreachable Redis proves which URL was used; --env after the command belongs to it
      const r = await run(['run', '--rootfs', '/r', '--redis', 'redis://127.0.0.1:1', 'sh', '-c', 'exit 7', '--env', 'NOPE']);
      expect(r.code).to.equal(125);
      expect(r.err).to.have.length(1);
      expect(r.err[0]).to.match(/^Error: run: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
    });

    it('names the embedded socket and `berth up` when nothing answers there', async () => {
      const r = await run(['ps']);
      expect(r.code).to.equal(125);
      expect(r.err).to.have.length(1);
      expect(r.err[0]).to.match(/^Error: ps: cannot reach Redis at unix:\/\/\/nonexistent\/berth-test\/redis\.sock: .*`berth up`/);
    });
  });
});
