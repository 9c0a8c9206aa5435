/**
 * The real `berth` as a subprocess (bin/berth.js): help, exit codes and the one-line errors, with
 * no Redis running (flags are checked before connecting; an unreachable one fails fast).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { mermaidOf } from '../../src/cli/graph.js';
import { containerMachine } from '../../src/machines/index.js';
import { berth, lines, ROOT } from './run-cli.js';

describe('cli: the berth command', function () {
  this.timeout(30_000);
  let stateDir: string;
  let env: Record<string, string>;
  before(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'berth-cli-'));
    env = { BERTH_STATE_DIR: stateDir };
  });
  after(() => {
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('--help explains every verb', async () => {
    const r = await berth(['--help'], env);
    expect(r.code).to.equal(0);
    const verbs = ['create', 'run', 'attach', 'exec', 'init', 'start', 'stop', 'kill', 'pause', 'unpause', 'restart', 'rm', 'sync', 'wait'];
    verbs.push('inspect', 'ps', 'logs', 'events', 'history', 'graph', 'node', 'worker', 'up', 'version', 'info');
    for (const verb of verbs) expect(r.stdout, verb).to.match(new RegExp(`^  ${verb} .*\\S`, 'm'));
    for (const flag of ['--redis <url>', '--log-level <level>', '--state-dir <dir>', 'BERTH_REDIS_URL']) expect(r.stdout).to.contain(flag);
    const stop = await berth(['stop', '--help'], env);
    expect(stop.code).to.equal(0);
    expect(stop.stdout).to.contain('-t, --time <seconds>').and.to.contain('--no-wait');
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await berth(['--version'], env);
    expect(r).to.deep.include({ code: 0, stdout: pkg.version, stderr: '' });
  });

  it('an unreachable Redis: exit 125, one line naming Redis, the command and the container', async () => {
    const r = await berth(['inspect', 'nosuch', '--redis', 'redis://127.0.0.1:1'], env);
    expect(r.code).to.equal(125);
    expect(r.stdout).to.equal('');
    expect(lines(r.stderr)).to.have.length(1);
    expect(r.stderr).to.match(/^Error: inspect nosuch: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: /);
  });

  it('BERTH_REDIS_URL is used when --redis is not given', async () => {
    const r = await berth(['ps'], { ...env, BERTH_REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.code).to.equal(125);
    expect(r.stderr).to.match(/^Error: ps: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: /);
  });

  it('kill -s NOPE: exit 125, unknown signal', async () => {
    const r = await berth(['kill', '-s', 'NOPE', 'x'], env);
    expect(r.code).to.equal(125);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.equal('Error: kill x: unknown signal "NOPE" for `-s`');
  });

  it('create with a bad name: exit 125, naming the flag and the pattern', async () => {
    const r = await berth(['create', '--name', 'bad/name', '--rootfs', '/tmp', 'true'], env);
    expect(r.code).to.equal(125);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.equal('Error: create: invalid name "bad/name" for `--name`: names must match ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$');
  });

  it('a usage error: exit 125, one line', async () => {
    const r = await berth(['stop', '--bogus', 'x'], env);
    expect(r.code).to.equal(125);
    expect(r.stderr).to.equal("Error: unknown option '--bogus'");
  });

  it('graph prints the statechart generated from the machine', async () => {
    const r = await berth(['graph'], env);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal(mermaidOf(containerMachine));
  });
});
