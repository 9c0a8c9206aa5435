/**
 * The health check CLI through the real `berth`: run -d with --health-cmd in the exec form (a JSON
 * array) and --health-interval disable, `healthcheck run` (exit 1 printing the status when
 * unhealthy, 0 when healthy, 125 with Podman's words for a container without a health check),
 * and a bad flag refused before anything is sent (125).
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { BIN, ROOT, cliEnv } from './run-cli.js';
import { startStack, type Stack } from '../helpers/stack.js';

describe('cli: health checks', function () {
  this.timeout(60_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack('cli-health', { prefix: '{berth}' });
    await stack.client.create({ name: 'plain', rootfs: stack.rootfs, command: ['sleep', '1000'], stopTimeout: 0 });
    await stack.client.start('plain');
  });
  after(async () => {
    await stack?.close();
  });

  const berth = async (args: string[]) => {
    const r = await execa('node', [BIN, ...args.slice(0, 1), '--redis', stack.redis.url, ...args.slice(1)], { cwd: ROOT, env: cliEnv(), extendEnv: false, reject: false });
    return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
  };

  it('run -d --health-cmd JSON array, interval disable; healthcheck run exits 1 printing unhealthy, 0 when healthy', async () => {
    const r = await berth(['run', '-d', '--name', 'hc', '--rootfs', stack.rootfs, '--stop-timeout', '0', '--health-cmd', '["sh", "-c", "test -e /tmp/ok"]', '--health-interval', 'disable', '--health-retries', '1', 'sleep', '1000']);
    expect(r.code, r.stderr).to.equal(0);
    const i = await stack.client.inspect('hc');
    expect(i.Config.Healthcheck).to.deep.include({ Test: ['CMD', 'sh', '-c', 'test -e /tmp/ok'], Interval: 0, Retries: 1 });
    expect(i.State.Health).to.deep.equal({ Status: 'starting', FailingStreak: 0, Log: [] });
    expect(await berth(['healthcheck', 'run', 'hc'])).to.deep.equal({ code: 1, stdout: 'unhealthy', stderr: '' });
    await (await stack.client.exec('hc', ['touch', '/tmp/ok'])).exitCode;
    expect(await berth(['healthcheck', 'run', 'hc'])).to.deep.equal({ code: 0, stdout: '', stderr: '' });
  });

  it('healthcheck run of a container without one: 125, Podman\'s words', async () => {
    const r = await berth(['healthcheck', 'run', 'plain']);
    expect(r.code).to.equal(125);
    expect(r.stderr).to.contain('container plain has no defined healthcheck');
  });

  it('a bad flag: 125 with the flag named, nothing created (the flags\' rules: test/cli/health-flags.test.ts)', async () => {
    const b = await berth(['create', '--name', 'x2', '--health-cmd', 'true', '--health-on-failure', 'explode', '--rootfs', stack.rootfs, 'sleep', '1']);
    expect(b.code).to.equal(125);
    expect(b.stderr).to.contain('invalid on-failure action for the health check: supported actions are none, kill, restart, stop');
    expect(await stack.client.inspect('x2').then(() => 'found', (e: { code: string }) => e.code)).to.equal('ENOCTR');
  });
});
