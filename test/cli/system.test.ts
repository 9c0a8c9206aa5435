/**
 * `berth version` and `berth info` against a real worker on real runc: the versions they print are
 * what runc, conmon and redis-server themselves say, and the node's state dirs are the worker's.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { osArch, type InfoReport, type VersionReport } from '../../src/cli/system-output.js';
import { RUNC, settled, startStack, type Stack } from '../helpers/stack.js';
import { berth, lines, ROOT } from './run-cli.js';

async function says(bin: string, args: string[]): Promise<string> {
  return String((await execa(bin, args)).stdout).trim();
}

describe('cli: version and info against a real worker', function () {
  this.timeout(60_000);
  let s: Stack;
  let env: Record<string, string>;
  let dir: string;
  let version: string;
  let runc: string;
  let conmon: string;
  let redisVersion: string;

  before(async () => {
    s = await startStack('cli-system', { prefix: '{berth}' }); // the CLI's prefix, in a private Redis
    dir = mkdtempSync(join(tmpdir(), 'berth-cli-system-'));
    env = { BERTH_REDIS_URL: s.redis.url, BERTH_STATE_DIR: dir };
    version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    runc = await says(RUNC, ['--version']);
    conmon = await says('conmon', ['--version']);
    redisVersion = /v=(\S+)/.exec(await says('redis-server', ['--version']))?.[1] ?? 'redis-server said no version';
    // a node that registered once and never beat: lost
    await s.client.nodes.register({ name: 'gone', labels: {}, runtime: 'runc', version: '0.0.1', concurrency: 1, startedAt: new Date(0).toISOString() });
    await s.client.create({ name: 'sys-up', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start('sys-up');
    await settled(s.client, 'sys-up', 'running');
    await s.client.create({ name: 'sys-down', rootfs: s.rootfs, command: ['true'] });
  });
  after(async () => {
    await s?.client.remove('sys-up', { force: true }).catch(() => undefined);
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('version: the client, Redis and the live node, with what runc and conmon say', async () => {
    const r = await berth(['version'], env);
    expect(r.code, r.stderr).to.equal(0);
    const blocks = r.stdout.split('\n\n');
    expect(blocks[0]).to.equal(['Client:       Berth', `Version:      ${version}`, `Node Version: ${process.version}`, `OS/Arch:      ${osArch()}`].join('\n'));
    expect(blocks[1]).to.equal(['Server:       Redis', `Version:      ${redisVersion}`, 'Mode:         standalone'].join('\n'));
    expect(blocks.slice(2), 'only the live node').to.deep.equal([
      [
        `Node:         ${s.node}`,
        `Version:      ${version}`,
        `Runtime:      ${runc.split('\n')[0]} (${RUNC})`,
        `Conmon:       ${conmon.split('\n')[0]} (/usr/bin/conmon)`,
        `OS/Arch:      ${osArch()}`,
      ].join('\n'),
    ]);
  });

  it('version --format json: Podman-shaped, the full version outputs', async () => {
    const r = await berth(['version', '--format', 'json'], env);
    expect(r.code, r.stderr).to.equal(0);
    const v = JSON.parse(r.stdout) as VersionReport;
    expect(v.Client).to.deep.equal({ Version: version, NodeVersion: process.version, OsArch: osArch(), Os: 'linux' });
    expect(v.Redis).to.deep.equal({ Version: redisVersion, Mode: 'standalone' });
    expect(v.Nodes).to.deep.equal([
      { Name: s.node, Version: version, OsArch: osArch(), Runtime: { Name: 'runc', Path: RUNC, Version: runc }, Conmon: { Path: '/usr/bin/conmon', Version: conmon } },
    ]);
  });

  it('info --format json: every node, live or lost, with its state dirs; Redis; containers by state', async () => {
    const r = await berth(['info', '--format', 'json'], env);
    expect(r.code, r.stderr).to.equal(0);
    const info = JSON.parse(r.stdout) as InfoReport;
    expect(info.client).to.deep.include({ version, stateDir: dir, redis: s.redis.url });
    expect(info.redis).to.include({ version: redisVersion, mode: 'standalone', role: 'master', aofEnabled: false });
    expect(info.nodes.map((n) => [n.name, n.live])).to.deep.equal([
      ['gone', false],
      [s.node, true],
    ]);
    const node = info.nodes[1]!;
    expect(node).to.include({ version, runtime: 'runc', containers: 2 });
    expect(node.host?.runtime).to.deep.equal({
      name: 'runc',
      runtime: { path: RUNC, version: runc },
      conmon: { path: '/usr/bin/conmon', version: conmon },
      runtimeRoot: s.root,
      stateDir: s.stateDir,
    });
    expect(info.nodes[0]!.host, 'a record without host facts still lists').to.equal(undefined);
    expect(info.store).to.deep.equal({ prefix: '{berth}', containers: { number: 2, running: 1, paused: 0, stopped: 1 } });
  });

  it('info: YAML by default, the same facts', async () => {
    const r = await berth(['info'], env);
    expect(r.code, r.stderr).to.equal(0);
    const out = lines(r.stdout);
    expect(out.filter((l) => /^\S/.test(l))).to.deep.equal(['client:', 'redis:', 'nodes:', 'store:']);
    expect(out).to.include(`  version: ${redisVersion}`);
    expect(out).to.include(`  - name: ${s.node}`);
    expect(out).to.include(`        runtimeRoot: ${s.root}`);
    expect(out).to.include(`  prefix: "{berth}"`);
    const at = out.indexOf('          version: |-');
    expect(out.slice(at + 1, at + 1 + runc.split('\n').length)).to.deep.equal(runc.split('\n').map((l) => `            ${l}`));
  });

  it('a bad --format, or Redis out of reach: exit 125, one line; version prints the client first', async () => {
    const bad = await berth(['info', '--format', 'xml'], env);
    expect(bad).to.deep.include({ code: 125, stdout: '', stderr: 'Error: info: `--format` must be yaml or json, got "xml"\n'.trimEnd() });
    const away = await berth(['version', '--redis', 'redis://127.0.0.1:1'], env);
    expect(away.code).to.equal(125);
    expect(away.stdout.split('\n')[0]).to.equal('Client:       Berth');
    expect(away.stdout).to.not.contain('Server:');
    expect(lines(away.stderr)).to.have.length(1);
    expect(away.stderr).to.match(/^Error: version: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: /);
  });
});
