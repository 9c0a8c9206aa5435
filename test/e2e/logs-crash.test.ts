/**
 * Output shipping under worker deaths: a pool of two worker processes serves one node and races
 * on every line of a container's log; one is killed with SIGKILL, then the other, while the
 * container keeps writing; a third starts after. A client following the container all along gets
 * every line exactly once, in order, then the run's end with its exit code (recorded by conmon
 * while no worker ran).
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { expect } from 'chai';
import { Berth, type BerthClient } from '../../src/queue/client.js';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import { nodeEnv, spawnWorker, type WorkerProcess } from '../helpers/processes.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';
import { deleteRuncContainers } from '../helpers/stack.js';

const LINES = 600;

describe('e2e: output shipped by a worker pool, workers killed with SIGKILL', function () {
  this.timeout(90_000);
  let redis: TestRedis;
  let client: BerthClient;
  let env: Record<string, string>;
  const workers: WorkerProcess[] = [];

  before(async () => {
    redis = await startRedis();
    env = nodeEnv(redis.url, testPrefix('logs-crash'), 'shipping');
    workers.push(await spawnWorker(env), await spawnWorker(env));
    client = await Berth.connect({ redis: redis.url, prefix: env['BERTH_PREFIX']! });
  });

  after(async () => {
    await client?.close();
    for (const w of workers) w.proc.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.proc));
    await deleteRuncContainers(env['BERTH_RUNC_ROOT']!);
    await redis?.stop();
    rmSync(dirname(env['BERTH_STATE_DIR']!), { recursive: true, force: true });
  });

  async function kill(w: WorkerProcess): Promise<void> {
    w.proc.kill('SIGKILL');
    await w.proc;
  }

  it('every line once, in order, and the end, across two SIGKILLs and a restart', async () => {
    const rootfs = await ensureBusyboxRootfs(join(tmpdir(), 'berth-test-rootfs'));
    await client.create({ name: 'steady', rootfs, command: ['sh', '-c', `i=1; while [ $i -le ${LINES} ]; do echo n$i; i=$((i+1)); sleep 0.005; done; exit 9`] });
    await client.start('steady');
    const stream = client.logs('steady', { follow: true });
    const got: string[] = [];
    for await (const line of stream) {
      got.push(line.text);
      // the deaths come while the container writes, at lines the follower has seen
      if (got.length === 100) await kill(workers[0]!);
      if (got.length === 250) {
        await kill(workers[1]!);
        workers.push(await spawnWorker(env));
      }
    }
    expect(got.length).to.equal(LINES);
    expect(got).to.deep.equal(Array.from({ length: LINES }, (_, i) => `n${i + 1}`));
    expect(stream.end).to.include({ run: 1, exitCode: 9 });
    const { Id } = await client.inspect('steady');
    expect(await client.store.redis.xlen(client.keys.container(Id).output), 'no entry twice').to.equal(LINES + 1);
  });
});
