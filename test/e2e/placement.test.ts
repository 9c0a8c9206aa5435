/** Placement: --node pins, constraints match node labels, otherwise the least loaded live node. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { BerthWorker } from '../../src/queue/worker.js';
import { BerthError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { ExitDirMonitor, RuncRuntime } from '../../src/oci/index.js';
import { RUNC, startStack, type Stack, deleteRuncContainers } from '../helpers/stack.js';

describe('e2e: placement on labelled nodes', function () {
  this.timeout(30_000);
  let s: Stack;
  let other: BerthWorker;
  let dir: string;
  before(async () => {
    s = await startStack('placement', { labels: { disk: 'ssd' } });
    dir = mkdtempSync(join(tmpdir(), 'berth-placement-'));
    const runtime = new RuncRuntime({ runtime: RUNC, root: join(dir, 'runc'), stateDir: join(dir, 'state') });
    other = await BerthWorker.start({
      redis: s.redis.url,
      prefix: s.prefix,
      node: 'hdd-node',
      labels: { disk: 'hdd' },
      rootfsRoots: [s.rootfs],
      runtime,
      monitor: new ExitDirMonitor(runtime.exitDir),
      log: createLogger({ level: 'silent', pretty: false }),
    });
  });
  after(async () => {
    await other?.close();
    await deleteRuncContainers(join(dir, 'runc'));
    rmSync(dir, { recursive: true, force: true });
    await s?.close();
  });

  it('places by constraint, pins by --node, balances otherwise, and refuses what no node matches', async () => {
    const hdd = await s.client.create({ name: 'on-hdd', rootfs: s.rootfs, command: ['sleep', '1000'], constraints: { disk: 'hdd' } });
    expect(hdd.Node).to.equal('hdd-node');
    const ssd = await s.client.create({ name: 'on-ssd', rootfs: s.rootfs, command: ['sleep', '1000'], node: s.node });
    expect(ssd.Node).to.equal(s.node);
    // one container each: the tie goes by name; then the other node is the less loaded
    const a = await s.client.create({ name: 'balanced-a', rootfs: s.rootfs, command: ['sleep', '1000'] });
    const b = await s.client.create({ name: 'balanced-b', rootfs: s.rootfs, command: ['sleep', '1000'] });
    expect([a.Node, b.Node].sort()).to.deep.equal(['hdd-node', s.node].sort());
    // started on its own node, as runc there reports
    expect((await s.client.start('on-hdd')).State.Status).to.equal('running');
    const state = await execa(RUNC, ['--root', join(dir, 'runc'), 'state', hdd.Id]);
    expect(JSON.parse(state.stdout).status).to.equal('running');
    try {
      await s.client.create({ name: 'nowhere', rootfs: s.rootfs, command: ['true'], constraints: { disk: 'tape' } });
      expect.fail('created with an unmatched constraint');
    } catch (err) {
      expect(err).to.be.instanceOf(BerthError);
      expect((err as BerthError).message).to.contain('no live worker node with labels disk=tape');
    }
  });
});
