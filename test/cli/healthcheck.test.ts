/**
 * `berth healthcheck run` through the real `berth` (few spawns: each costs a second or more):
 * exit 1 printing the status when unhealthy, 0 when healthy, 125 with Podman's words for a
 * container without a health check. The create/run flags: test/cli/health-flags.test.ts.
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

  it('healthcheck run: exit 1 printing the status when unhealthy, 0 when healthy', async () => {
    // the flags' path to the spec (run -d --health-cmd '[…]' --health-interval disable) is unit-tested: specFromFlags in health-flags.test.ts
    await stack.client.create({ name: 'hc', rootfs: stack.rootfs, command: ['sleep', '1000'], stopTimeout: 0, healthcheck: { test: ['sh', '-c', 'test -e /tmp/ok'], interval: 'disable', retries: 1 } });
    await stack.client.start('hc');
    expect((await stack.client.inspect('hc')).State.Health).to.deep.equal({ Status: 'starting', FailingStreak: 0, Log: [] });
    expect(await berth(['healthcheck', 'run', 'hc'])).to.deep.equal({ code: 1, stdout: 'unhealthy', stderr: '' });
    await (await stack.client.exec('hc', ['touch', '/tmp/ok'])).exitCode;
    expect(await berth(['healthcheck', 'run', 'hc'])).to.deep.equal({ code: 0, stdout: '', stderr: '' });
  });

  it('healthcheck run of a container without one: 125, Podman\'s words', async () => {
    const r = await berth(['healthcheck', 'run', 'plain']);
    expect(r.code).to.equal(125);
    expect(r.stderr).to.contain('container plain has no defined healthcheck');
  });
});
