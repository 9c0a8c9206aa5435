/**
 * The real `berth` against a Redis with requirepass (as the embedded default and docker-compose
 * run it): the URL can come from --redis-file or BERTH_REDIS_URL_FILE, so the password stays out
 * of `ps`; without a password the error says one is needed; no error ever prints the password;
 * inspect of a name full of escape sequences prints them escaped.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { berth, lines } from './run-cli.js';

const PASSWORD = 'cli-secret-6b0d2e';
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('cli: Redis credentials from files and the environment', function () {
  this.timeout(30_000);
  let redis: TestRedis;
  let dir: string;
  let urlFile: string;
  let socket: string;
  let env: Record<string, string>;

  before(async () => {
    redis = await startRedis({ password: PASSWORD });
    socket = decodeURIComponent(new URL(redis.url).pathname);
    dir = mkdtempSync(join(tmpdir(), 'berth-cli-secrets-'));
    urlFile = join(dir, 'redis-url');
    writeFileSync(urlFile, `${redis.url}\n`, { mode: 0o600 });
    env = { BERTH_STATE_DIR: join(dir, 'state') };
  });
  after(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--redis-file and BERTH_REDIS_URL_FILE give the URL, password included', async () => {
    const byFlag = await berth(['ps', '-a', '--format', 'json', '--redis-file', urlFile], env);
    expect(byFlag).to.deep.include({ code: 0, stdout: '[]', stderr: '' });
    const byEnv = await berth(['ps', '-a', '--format', 'json'], { ...env, BERTH_REDIS_URL_FILE: urlFile });
    expect(byEnv).to.deep.include({ code: 0, stdout: '[]', stderr: '' });
    const both = await berth(['ps', '--redis', redis.url, '--redis-file', urlFile], env);
    expect(both).to.deep.include({ code: 125, stderr: 'Error: ps: give `--redis` or `--redis-file`, not both' });
  });

  it('without a password: the error says one is needed (NOAUTH), not "cannot reach"', async () => {
    const r = await berth(['ps', '--redis', `unix://${socket}`], env);
    expect(r.code).to.equal(125);
    expect(lines(r.stderr)).to.deep.equal([
      `Error: ps: Redis at unix://${socket} needs a password (NOAUTH): give it in the URL, redis://:PASSWORD@host:port, through --redis-file or BERTH_REDIS_URL_FILE`,
    ]);
  });

  it('no error prints the password: a wrong one, a URL that does not parse, a bad database', async () => {
    const cases: string[][] = [
      ['ps', '--redis', `unix://:${PASSWORD}x@localhost${socket}`],
      ['ps', '--redis', `redis://:${PASSWORD}@[::1`],
      ['inspect', 'x', '--redis', `redis://:${PASSWORD}@127.0.0.1:1/db`],
      ['ps', '--redis', `redis://:${PASSWORD}@127.0.0.1:1`],
    ];
    for (const args of cases) {
      const r = await berth(args, env);
      expect(r.code, args.join(' ')).to.equal(125);
      expect(r.stderr, args.join(' ')).to.match(/^Error: /);
      expect(r.stderr, args.join(' ')).to.not.contain(PASSWORD);
    }
    expect((await berth(cases[0]!, env)).stderr).to.contain('refused the password (WRONGPASS)');
  });

  it('an error naming what was asked for escapes it and shortens it', async () => {
    const name = `\x1b]0;pwned\x07\x1b[2J${'n'.repeat(400)}`;
    const r = await berth(['inspect', name], { ...env, BERTH_REDIS_URL_FILE: urlFile });
    expect(r.code).to.equal(125);
    expect(r.stderr).to.not.match(RAW_CONTROL);
    expect(r.stderr).to.contain('no such container \\x1b]0;pwned\\x07\\x1b[2J').and.contain('… (414 characters)');
    expect(r.stderr.length).to.be.below(700);
  });
});
