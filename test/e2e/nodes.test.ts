/**
 * Node loss and return: a node that misses its heartbeats is lost and its containers show
 * `unknown` with the reason; when its worker returns it reconciles them against runc (an exit
 * that happened meanwhile is recorded with its code; a container runc no longer has gets -1; a
 * runc container Berth does not know is deleted).
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { expect } from 'chai';
import { execa } from 'execa';
import { Redis } from 'ioredis';
import { Berth, type BerthClient } from '../../src/queue/client.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { Keys } from '../../src/store/keys.js';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import { nodeEnv, spawnWorker, type WorkerProcess } from '../helpers/processes.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';
import { RUNC, settled, deleteRuncContainers } from '../helpers/stack.js';

describe('e2e: a node lost and back', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  let client: BerthClient;
  let worker: WorkerProcess | undefined;
  let env: Record<string, string>;
  let events: Redis;

  before(async () => {
    redis = await startRedis();
    const prefix = testPrefix('nodes');
    env = nodeEnv(redis.url, prefix, 'far', { BERTH_HEARTBEAT_MS: '300', BERTH_LOST_MS: '1500' });
    worker = await spawnWorker(env);
    client = await Berth.connect({ redis: redis.url, prefix });
    // keyspace notifications tell the test when the heartbeat expires: no polling, no sleeping
    events = new Redis(redisOptionsFromUrl(redis.url));
    await events.config('SET', 'notify-keyspace-events', 'Ex');
  });

  after(async () => {
    await client?.close();
    events?.disconnect();
    worker?.proc.kill('SIGKILL');
    await deleteRuncContainers(env['BERTH_RUNC_ROOT']!);
    await redis?.stop();
    rmSync(dirname(env['BERTH_STATE_DIR']!), { recursive: true, force: true });
  });

  it('shows containers unknown while the node is lost, and reconciles them with runc when it returns', async () => {
    const rootfs = await ensureBusyboxRootfs(join(tmpdir(), 'berth-test-rootfs'));
    const root = env['BERTH_RUNC_ROOT']!;
    await client.create({ name: 'steady', rootfs, command: ['sleep', '1000'], node: 'far' });
    await client.create({ name: 'ends', rootfs, command: ['sh', '-c', 'trap "exit 5" USR1; while :; do sleep 0.05; done'], node: 'far' });
    await client.create({ name: 'vanishes', rootfs, command: ['sleep', '1000'], node: 'far' });
    for (const n of ['steady', 'ends', 'vanishes']) await client.start(n);
    const id = async (n: string) => (await client.inspect(n)).Id;
    const [ends, vanishes] = [await id('ends'), await id('vanishes')];

    const sub = events.duplicate();
    const expired = new Promise<void>((resolve) => {
      sub.on('message', (_c: string, key: string) => {
        if (key === new Keys(env['BERTH_PREFIX']).nodeHeartbeat('far')) resolve();
      });
    });
    await sub.subscribe('__keyevent@0__:expired');
    worker!.proc.kill('SIGKILL');
    await worker!.proc;
    await expired;
    sub.disconnect();

    const lost = await client.inspect('steady');
    expect(lost.State.Status).to.equal('unknown');
    expect(lost.State.Error).to.match(/^node far lost: no heartbeat since \d{4}-.* \(last known state running\)$/);
    const node = (await client.nodeList()).find((n) => n.name === 'far');
    expect(node).to.include({ live: false, containers: 3 });

    // meanwhile, on the node: one exits with 5, one disappears without a trace, one stranger appears
    await execa(RUNC, ['--root', root, 'kill', ends, 'USR1']);
    await execa(RUNC, ['--root', root, 'delete', '--force', vanishes]);
    await execa('rm', ['-f', join(env['BERTH_STATE_DIR']!, 'exits', vanishes)]);
    const stranger = 'f'.repeat(64);
    await execa(RUNC, ['--root', root, 'run', '--detach', '--bundle', join(env['BERTH_STATE_DIR']!, 'bundles', await id('steady')), stranger], {
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'ignore',
    });

    worker = await spawnWorker(env);
    expect((await client.inspect('steady')).State.Status).to.equal('running');
    expect(await client.wait('ends')).to.equal(5);
    expect(await client.wait('vanishes')).to.equal(-1);
    await settled(client, 'vanishes', 'exited');
    expect((await client.inspect('vanishes')).State.Error).to.contain('could not be retrieved');
    // asked by name: `runc list` fails while the worker deletes another container's state dir
    const left = await execa(RUNC, ['--root', root, 'state', stranger], { reject: false });
    expect(left.exitCode, 'the stranger is gone').to.not.equal(0);
    expect(left.stderr).to.contain('does not exist');
  });
});
