/**
 * startEmbeddedRedis: a real redis-server on a unix socket in a tmp dir, AOF on, requiring the
 * password kept in the dir. Readiness and exit are awaited as events (its stdout line, its process
 * exit); nothing here sleeps.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { BerthError } from '../../src/errors.js';
import { embeddedRedisUrl } from '../../src/cli/context.js';
import { embeddedRedisArgs, embeddedRedisConfig, probeRedis, startEmbeddedRedis, type EmbeddedRedis } from '../../src/cli/embedded-redis.js';
import { connectRedis } from '../../src/store/redis.js';
import { rejection } from '../helpers/assert.js';


describe('cli embedded redis', function () {
  this.timeout(20_000);
  let dir: string;
  const started: EmbeddedRedis[] = [];
  const start = async (d = dir) => {
    const r = await startEmbeddedRedis({ dir: d });
    started.push(r);
    return r;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-up-'));
  });
  afterEach(async () => {
    for (const r of started.splice(0)) await r.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs redis-server on a unix socket only, AOF every second, no RDB snapshots, the password on stdin', () => {
    expect(embeddedRedisArgs('/s')).to.deep.equal([
      '-',
      '--unixsocket', '/s/redis.sock',
      '--unixsocketperm', '700',
      '--port', '0',
      '--dir', '/s',
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--save', '',
      '--daemonize', 'no',
    ]);
    expect(embeddedRedisConfig('pw')).to.equal('requirepass pw\n');
  });

  it('requires a generated password, kept 0600 in a 0700 state dir, never on its command line', async () => {
    chmodSync(dir, 0o755); // a state dir made by hand: tightened
    const r = await start();
    expect(statSync(dir).mode & 0o777).to.equal(0o700);
    expect(r.passwordFile).to.equal(join(dir, 'redis.password'));
    expect(statSync(r.passwordFile).mode & 0o777).to.equal(0o600);
    const password = readFileSync(r.passwordFile, 'utf8').trim();
    expect(password).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(r.url).to.equal(`unix://:${password}@localhost${dir}/redis.sock`);
    expect(readFileSync(`/proc/${r.pid}/cmdline`, 'utf8')).to.not.contain(password);
    const e = await rejection(connectRedis(`unix://${dir}/redis.sock`, { timeoutMs: 2000 }));
    expect(e.message).to.match(/needs a password \(NOAUTH\)/);

    // the next start keeps the password (clients reconnecting after a restart still get in), and tightens its file
    await r.stop();
    chmodSync(r.passwordFile, 0o644);
    const again = await start();
    expect(again.url).to.equal(r.url);
    expect(statSync(r.passwordFile).mode & 0o777).to.equal(0o600);
  });

  it('counts a Redis that refuses its password as live: never starts over its socket', async () => {
    const first = await start();
    writeFileSync(first.passwordFile, `${'x'.repeat(43)}\n`); // another password than the live one
    expect(await probeRedis(embeddedRedisUrl(dir, 'x'.repeat(43)))).to.deep.equal({ pid: undefined });
    const e = await rejection(startEmbeddedRedis({ dir }));
    expect(e.code).to.equal('EEXIST');
    expect(e.message).to.equal(`a Redis already answers at unix://${dir}/redis.sock: another \`berth up\` runs with state dir ${dir}; use it, or stop it first`);
  });

  it('starts, answers on its socket, keeps data across a restart (AOF), and stops', async () => {
    const r = await start();
    expect(r.url).to.match(new RegExp(`^unix://:[A-Za-z0-9_-]+@localhost${dir}/redis\\.sock$`));
    expect(r.socket).to.equal(join(dir, 'redis.sock'));
    expect(statSync(r.socket).isSocket()).to.equal(true);
    expect(statSync(r.socket).mode & 0o777).to.equal(0o700);
    const client = await connectRedis(r.url);
    expect(await client.ping()).to.equal('PONG');
    await client.set('berth:test', 'kept');
    client.disconnect();
    expect(await probeRedis(r.url)).to.deep.equal({ pid: r.pid });

    await r.stop();
    await r.stop(); // idempotent
    expect((await r.exited).exitCode).to.equal(0);
    expect(existsSync(r.socket)).to.equal(false);
    expect(existsSync(join(dir, 'appendonlydir'))).to.equal(true);
    expect(await probeRedis(r.url, 300)).to.equal(null);

    const again = await start();
    const reader = await connectRedis(again.url);
    expect(await reader.get('berth:test')).to.equal('kept');
    reader.disconnect();
  });

  it('refuses to start over a Redis that already answers on the socket (another `berth up`)', async () => {
    const first = await start();
    const e = await rejection(startEmbeddedRedis({ dir }));
    expect(e.code).to.equal('EEXIST');
    expect(e.message).to.equal(
      `a Redis already answers at unix://${dir}/redis.sock (pid ${first.pid}): another \`berth up\` runs with state dir ${dir}; use it, or stop it first`,
    );
    const client = await connectRedis(first.url);
    expect(await client.ping()).to.equal('PONG'); // the first one is untouched
    client.disconnect();
  });

  it('starts over a stale socket file nobody answers on', async () => {
    writeFileSync(join(dir, 'redis.sock'), '');
    const r = await start();
    expect(statSync(r.socket).isSocket()).to.equal(true);
  });

  it('tells the user to install redis-server when the binary is missing', async () => {
    const e = await rejection(startEmbeddedRedis({ dir, binary: 'redis-server-not-installed' }));
    expect(e.code).to.equal('ENORUNTIME');
    expect(e.message).to.equal('redis-server-not-installed not found: install it with `apt-get install redis-server`');
  });

  it('reports a redis-server that exits before it is ready, with what it said', async () => {
    const e = await rejection(startEmbeddedRedis({ dir, binary: '/bin/false' }));
    expect(e.code).to.equal('EUNAVAIL');
    expect(e.message).to.equal('/bin/false exited before accepting connections (exit code 1)');
  });

  it('refuses a relative dir and a socket path too long for the kernel', async () => {
    expect((await rejection(startEmbeddedRedis({ dir: 'relative' }))).code).to.equal('EINVAL');
    const e = await rejection(startEmbeddedRedis({ dir: `/tmp/${'x'.repeat(120)}` }));
    expect(e.code).to.equal('EINVAL');
    expect(e.message).to.contain('use a shorter --state-dir');
  });
});
