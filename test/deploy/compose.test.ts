/**
 * docker-compose.yml stays valid: Debian's docker-compose parses it (no Docker engine needed).
 * Redis requires a password set from the environment (none in the file; without it compose
 * refuses), the workers and the inspector reach Redis with it, the inspector's token travels in
 * its environment, not its command line, and its Host check stays on while it binds 0.0.0.0.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { execa } from 'execa';
import { parseInspectorFlags } from '../../src/inspector/flags.js';

const cwd = fileURLToPath(new URL('../../', import.meta.url));
const PASSWORD = 'compose-test-0a1b2c3d';

async function config(env: Record<string, string>): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const r = await execa('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd, reject: false, env: { PATH: process.env['PATH'] ?? '', ...env }, extendEnv: false });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** One service's block of the rendered config (two-space indented under `services:`). */
function service(rendered: string, name: string): string {
  const m = new RegExp(`^  ${name}:\\n((?:    .*\\n|      .*\\n)*)`, 'm').exec(rendered);
  return m?.[1] ?? '';
}

describe('docker-compose.yml', function () {
  this.timeout(30_000);
  let rendered = '';

  before(async () => {
    const r = await config({ BERTH_REDIS_PASSWORD: PASSWORD });
    expect(r.exitCode, r.stderr).to.equal(0);
    rendered = r.stdout;
  });

  it('is valid per `docker-compose config` and has redis (AOF), a worker and the inspector port', () => {
    expect(rendered).to.match(/appendonly/);
    expect(rendered).to.match(/worker/);
    expect(rendered).to.match(/7777/);
  });

  it('Redis requires the password from the environment; the file holds none; compose refuses without it', async () => {
    const redis = service(rendered, 'redis');
    expect(redis).to.contain(`- --requirepass\n    - ${PASSWORD}\n`);
    expect(redis).to.contain(`REDISCLI_AUTH: ${PASSWORD}`);
    expect(readFileSync(`${cwd}docker-compose.yml`, 'utf8')).to.contain('"--requirepass", "${BERTH_REDIS_PASSWORD:?');
    const without = await config({});
    expect(without.exitCode).to.not.equal(0);
    expect(without.stderr).to.contain('set a Redis password (export BERTH_REDIS_PASSWORD=...)');
  });

  it('workers and the inspector reach Redis with the password', () => {
    for (const name of ['worker-1', 'worker-2', 'inspector']) {
      expect(service(rendered, name), name).to.contain(`BERTH_REDIS_URL: redis://:${PASSWORD}@redis:6379\n`);
    }
  });

  it('the inspector: token from its environment, not argv; Host check on with an explicit allowed-hosts list', () => {
    const inspector = service(rendered, 'inspector');
    expect(inspector).to.contain('BERTH_INSPECTOR_TOKEN:');
    expect(inspector).to.contain('exec berth inspector --host 0.0.0.0').and.not.contain('--token');
    const hosts = /--allowed-hosts "([^"]+)"/.exec(inspector)?.[1];
    expect(hosts).to.equal('localhost,127.0.0.1,[::1]');
    expect(parseInspectorFlags({ host: '0.0.0.0', allowedHosts: [hosts!] }).allowedHosts).to.deep.equal(['localhost', '127.0.0.1', '[::1]']);
  });
});
