/**
 * Redis restarted (AOF, everysec) under load: the worker and the client reconnect with backoff,
 * and every command whose enqueue was acknowledged is applied, in order. Commands sent while Redis
 * was down fail fast with a clear error instead of hanging.
 */
import { expect } from 'chai';
import type { Enqueued } from '../../src/queue/client.js';
import { existsSync, watch } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { execa } from 'execa';
import { RUNC, startStack, type Stack } from '../helpers/stack.js';

/** Resolves once the file exists (fs.watch on its directory; no polling). */
function waitForFile(path: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dirname(path), (_e, name) => {
      if (name?.toString() === basename(path) && existsSync(path)) {
        watcher.close();
        resolve();
      }
    });
    if (existsSync(path)) {
      watcher.close();
      resolve();
    }
  });
}

describe('e2e: Redis restarted under load', function () {
  this.timeout(60_000);
  let s: Stack;
  before(async () => {
    s = await startStack('restart', { aof: true });
  });
  after(async () => {
    await s?.close();
  });

  it('loses no acknowledged command', async () => {
    await s.client.create({ name: 'load', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start('load');
    const acked: { i: number; q: Enqueued }[] = [];
    const refused: unknown[] = [];
    let i = 0;
    const send = async (n: number) => {
      for (let k = 0; k < n; k++, i++) {
        try {
          acked.push({ i, q: await s.client.enqueue('load', i % 2 ? 'unpause' : 'pause') });
        } catch (err) {
          refused.push(err);
          i--; // not acknowledged: the next command takes its place in the alternation
        }
      }
    };
    await send(20);
    const restarting = s.redis.restart();
    await send(10); // some of these meet Redis down
    await restarting;
    await send(20);
    const results = await Promise.all(acked.map(async ({ i, q }) => ({ i, r: await q.result() })));
    for (const { i, r } of results) expect(r.State.Status, `command ${i}`).to.equal(i % 2 ? 'running' : 'paused');
    for (const err of refused) expect(err).to.be.instanceOf(Error);
    const history = (await s.client.history('load')).filter((h) => h.command === 'pause' || h.command === 'unpause');
    expect(history.length).to.equal(acked.length);
  });

  it('keeps containers running while Redis is away, and delivers the exits recorded meanwhile', async () => {
    const c = await s.client.create({ name: 'offline', rootfs: s.rootfs, command: ['sh', '-c', 'trap "exit 9" USR1; while :; do sleep 0.05; done'] });
    await s.client.start('offline');
    await s.redis.restart(async () => {
      expect((await s.runc(c.Id))?.status, 'runs on without Redis').to.equal('running');
      await execa(RUNC, ['--root', s.root, 'kill', c.Id, 'USR1']);
      // conmon records the exit on the node whether or not Redis answers
      await waitForFile(join(s.stateDir, 'exits', c.Id));
    });
    expect(await s.client.wait('offline')).to.equal(9);
  });
});
