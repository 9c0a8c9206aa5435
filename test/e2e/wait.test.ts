/**
 * `berth wait` and client.wait with Podman's conditions (issue 12) end to end through the queue on
 * real runc: a wait for running resolves when the start is committed (-1, as Podman), for paused
 * likewise, the default wait gives the exit code, `created` is met by a configured container,
 * a container removed before its condition holds is an error, and a bad condition or interval is
 * EINVAL, exit 125, before anything is read.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { expect } from 'chai';
import { BerthError } from '../../src/errors.js';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/context.js';
import type { WaitCondition } from '../../src/queue/wait-condition.js';
import { startStack, type Stack } from '../helpers/stack.js';

describe('e2e: wait --condition', function () {
  this.timeout(60_000);
  let s: Stack;
  before(async () => {
    s = await startStack('wait', { prefix: '{berth}' });
  });
  after(async () => {
    await s?.close();
  });

  const cli = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (l) => void out.push(l), err: (l) => void err.push(l), write: async (to, b) => void (to === 'out' ? out : err).push(b.toString()) };
    const code = await main(['node', 'berth', '--redis', s.redis.url, ...args], io, { BERTH_STATE_DIR: join(tmpdir(), 'berth-wait-cli') });
    return { code, out, err };
  };

  it('waits for running and paused as the commands are applied (-1), then for the exit code by default', async () => {
    const c = await s.client.create({ name: 'w1', rootfs: s.rootfs, command: ['sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.05; done'] });
    expect(await s.client.wait('w1', { condition: 'created' })).to.equal(-1); // configured meets Podman's created at once
    const running = s.client.wait('w1', { condition: 'running' });
    const paused = s.client.wait('w1', { condition: ['paused'] });
    const order: string[] = [];
    void running.then(() => order.push('running'));
    void paused.then(() => order.push('paused'));
    await s.client.start('w1');
    expect(await running).to.equal(-1);
    expect(await s.runc(c.Id)).to.include({ status: 'running' });
    await s.client.pause('w1');
    expect(await paused).to.equal(-1);
    expect(await s.runc(c.Id)).to.include({ status: 'paused' });
    expect(order).to.deep.equal(['running', 'paused']);
    await s.client.unpause('w1');

    const viaCli = cli('wait', '--condition', 'stopped', '--condition', 'exited', '-i', '5s', 'w1');
    const exited = s.client.wait('w1');
    await s.client.stop('w1');
    expect(await exited).to.equal(7);
    const done = await viaCli;
    expect(done.code, done.err.join('\n')).to.equal(0);
    expect(done.out).to.deep.equal(['7']);
    expect(await s.runc(c.Id)).to.equal(null);
  });

  it('rejects a wait whose container is removed before its condition holds', async () => {
    await s.client.create({ name: 'w2', rootfs: s.rootfs, command: ['true'] });
    const running = s.client.wait('w2', { condition: 'running' }).then(
      () => null,
      (e: unknown) => e,
    );
    await s.client.remove('w2');
    const err = await running;
    expect(err).to.be.instanceOf(BerthError);
    expect((err as BerthError).code).to.equal('ENOCTR');
  });

  it('refuses a bad condition or interval with a clear error, exit 125', async () => {
    await s.client.create({ name: 'w3', rootfs: s.rootfs, command: ['true'] });
    const err = await s.client.wait('w3', { condition: 'bogus' as WaitCondition }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(BerthError);
    expect((err as BerthError).code).to.equal('EINVAL');
    expect((err as BerthError).message).to.include('unknown container state: "bogus"');
    const bad = await cli('wait', '--condition', 'healthy', 'w3');
    expect(bad.code).to.equal(125);
    expect(bad.err.join('\n')).to.include('unknown container state: "healthy"');
    expect(bad.out).to.deep.equal([]);
    const badInterval = await cli('wait', '--interval', 'soon', 'w3');
    expect(badInterval.code).to.equal(125);
    expect(badInterval.err.join('\n')).to.include('invalid interval "soon"');
    expect((await s.client.inspect('w3')).State.Status).to.equal('configured');
  });
});
