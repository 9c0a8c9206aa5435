/**
 * Exec sessions under faults, on real runc and conmon: a worker killed (SIGKILL) during an exec
 * (conmon records the exit; the restarted worker delivers it and the rest of the output), a
 * client that vanishes mid-stream (the session goes on; its stream stays bounded), a slow reader
 * (the stream in Redis stays bounded while it lags; it still gets the end), a stop that ends the
 * sessions (each with its code; the cleanup waits for them), a non-forced rm refused while a
 * session runs, and nothing left running after.
 */
import { expect } from 'chai';
import type { ResultPromise } from 'execa';
import type { Readable } from 'node:stream';
import { Berth, type BerthClient } from '../../src/queue/client.js';
import type { BerthError } from '../../src/errors.js';
import { spawnWorker } from '../helpers/processes.js';
import { startWorkerNode, stopWorkerNode } from '../helpers/worker-node.js';
import { type TestRedis } from '../helpers/redis.js';
import { RUNC, TEST_ROOTFS } from '../helpers/stack.js';
import { execa } from 'execa';

async function all(r: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('e2e: exec sessions under faults', function () {
  this.timeout(90_000);
  let redis: TestRedis;
  let client: BerthClient;
  let dir: string;
  let env: Record<string, string>;
  let worker: ResultPromise | undefined;
  let prefix: string;

  before(async () => {
    ({ redis, dir, env, client, worker, prefix } = await startWorkerNode('exec-faults', 'xf', { BERTH_LOG_MAX_LINES: '200' }));
    await client.create({ name: 'box', rootfs: TEST_ROOTFS, command: ['sleep', '1000'] });
    await client.start('box');
  });
  after(async () => {
    await stopWorkerNode({ redis, dir, env, client, worker });
  });

  it('a worker killed during an exec: the exit code and the rest of the output still reach the client', async () => {
    // the session waits for a file the test makes while no worker runs
    const h = await client.exec('box', ['sh', '-c', 'echo before; while [ ! -e /tmp/go ]; do sleep 0.02; done; echo after; exit 7']);
    const out = all(h.stdout);
    await h.started;
    worker!.kill('SIGKILL');
    await worker!.catch(() => undefined);
    const go = await execa(RUNC, ['--root', env['BERTH_RUNC_ROOT']!, 'exec', (await client.inspect('box')).Id, 'touch', '/tmp/go'], { reject: false });
    expect(go.exitCode, go.stderr).to.equal(0);
    worker = (await spawnWorker(env)).proc;
    expect(await h.exitCode).to.equal(7);
    expect(await out).to.equal('before\nafter\n');
    expect(await client.execInspect(h.id)).to.include({ Running: false, ExitCode: 7 });
  });

  it('a worker killed with the exec call in flight: the next one settles it (run once) and the session goes on', async () => {
    worker!.kill('SIGKILL');
    await worker!.catch(() => undefined);
    const dying = await spawnWorker({ ...env, BERTH_TEST_FREEZE_BEFORE: 'ociExec' });
    const h = await client.exec('box', ['sh', '-c', 'echo once; exit 2']);
    await dying.line(/^freezing /); // the call is committed in flight, not made
    dying.proc.kill('SIGKILL');
    await dying.proc.catch(() => undefined);
    worker = (await spawnWorker(env)).proc;
    expect(await all(h.stdout)).to.equal('once\n');
    expect(await h.exitCode).to.equal(2);
    // run once: one line of output (a second run would write its own), one ended session
    expect(await client.execInspect(h.id)).to.include({ Running: false, ExitCode: 2 });
  });

  it('a client that vanishes mid-stream: the session goes on to its end; its stream stays bounded', async () => {
    const other = await Berth.connect({ redis: redis.url, prefix });
    const h = await other.exec('box', ['sh', '-c', 'i=0; while [ $i -lt 3000 ]; do echo line $i; i=$((i+1)); done; exit 5']);
    const it = h.stdout[Symbol.asyncIterator]();
    await it.next();
    await other.close();
    const id = (await client.inspect('box')).Id;
    const { cursor } = await client.store.readWithCursor(id);
    if ((await client.execInspect(h.id)).Running) await client.eventFeed().waitFor(cursor, (e) => e.id === id && !(e.state['ExecIDs'] as string[]).includes(h.id));
    expect(await client.execInspect(h.id)).to.include({ Running: false, ExitCode: 5 });
    // MAXLEN ~ 200: Redis trims whole nodes of 100 entries
    const len = await client.store.redis.xlen(client.keys.source(id, h.id).output);
    expect(len).to.be.within(1, 400);
  });

  it('a slow reader: the stream stays bounded while it lags, and it still gets the end and the exit code', async () => {
    const h = await client.exec('box', ['sh', '-c', 'i=0; while [ $i -lt 5000 ]; do echo line $i; i=$((i+1)); done; exit 9']);
    const it = h.stdout[Symbol.asyncIterator]();
    await it.next(); // one chunk read, then nothing while the session writes on
    const id = (await client.inspect('box')).Id;
    const { cursor } = await client.store.readWithCursor(id);
    if ((await client.execInspect(h.id)).Running) await client.eventFeed().waitFor(cursor, (e) => e.id === id && !(e.state['ExecIDs'] as string[]).includes(h.id));
    expect(await client.store.redis.xlen(client.keys.source(id, h.id).output)).to.be.within(1, 400);
    let rest = '';
    for (let r = await it.next(); !r.done; r = await it.next()) rest += String(r.value);
    expect(rest).to.match(/line 4999\n$/);
    expect(await h.exitCode).to.equal(9);
  });

  it('rm without -f is refused while a session runs; a stop ends the sessions, each with its code, then the cleanup', async () => {
    const h = await client.exec('box', ['sh', '-c', 'echo up; exec sleep 1000']);
    const it = h.stdout[Symbol.asyncIterator]();
    await it.next();
    const refused = (await client.remove('box').then(() => null, (e: BerthError) => e))!;
    expect(refused.code).to.equal('ECTRSTATE');
    const stopped = await client.stop('box', { timeout: 1 });
    expect(stopped.State.Status).to.equal('exited');
    expect(stopped.ExecIDs).to.deep.equal([]);
    expect(await h.exitCode).to.equal(137);
    expect(await client.execInspect(h.id)).to.include({ Running: false, ExitCode: 137 });
    expect(await execa(RUNC, ['--root', env['BERTH_RUNC_ROOT']!, 'list', '-q']).then((r) => r.stdout.trim())).to.equal('');
    await client.remove('box');
  });

  it('rm -f during a session: the container goes, its session\'s reader ends (137, or ENOCTR once the container is gone first), nothing is left running', async () => {
    await client.create({ name: 'gone', rootfs: TEST_ROOTFS, command: ['sleep', '1000'] });
    await client.start('gone');
    const h = await client.exec('gone', ['sh', '-c', 'echo up; exec sleep 1000']);
    const it = h.stdout[Symbol.asyncIterator]();
    await it.next();
    await client.remove('gone', { force: true });
    // the session's exit may be shipped before the removal is committed, or find the container gone
    expect(await h.exitCode.then((code) => code, (x: BerthError) => x.code)).to.be.oneOf([137, 'ENOCTR']);
    expect(await execa(RUNC, ['--root', env['BERTH_RUNC_ROOT']!, 'list', '-q']).then((r) => r.stdout.trim())).to.equal('');
  });
});
