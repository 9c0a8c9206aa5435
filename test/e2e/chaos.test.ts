/**
 * Chaos, short enough for CI: containers on two nodes (one served by 3 worker processes, one by
 * 1) under a mixed load of awaited and queued commands through the TS client, a worker process
 * SIGKILLed and replaced every 1-4 s, and one Redis restart (AOF) mid-run. Afterwards, once every
 * worker was restarted cleanly and the system settled: every container's state agrees with runc
 * on its node, every acknowledged command took effect once and in order (or was refused by the
 * state), every run ended by a signal that ends it with the right exit code, and nothing is stuck
 * (test/helpers/chaos-check.ts). The counters are printed; BERTH_CHAOS_SEED repeats the choices,
 * BERTH_CHAOS_LOG keeps the workers' log.
 */
import { expect } from 'chai';
import { ChaosCluster, runChaos } from '../helpers/chaos.js';
import { FAULTS, checkChaos, formatReport } from '../helpers/chaos-check.js';

const CONTAINERS = 14;
const SECONDS = 25;

describe('e2e: chaos (worker kills and a Redis restart under a mixed load)', function () {
  this.timeout(120_000);
  let cluster: ChaosCluster | undefined;

  before(async () => {
    cluster = await ChaosCluster.start('chaos');
  });

  after(async () => {
    await cluster?.close();
  });

  it('leaves Berth agreeing with runc, every acknowledged command applied once and in order, nothing stuck', async () => {
    const seed = Number(process.env['BERTH_CHAOS_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
    const run = await runChaos(cluster!, { containers: CONTAINERS, seconds: SECONDS, boundMs: 30_000, seed, log: (l) => console.log(`      ${l}`) });
    const report = await checkChaos(cluster!, run, { settleMs: 15_000 });
    console.log(formatReport(report).replace(/^/gm, '      '));
    const faults = Object.fromEntries(FAULTS.map((f) => [f, report.counters[f]]));
    expect(faults, `chaos faults (seed ${seed}); the evidence is printed above`).to.deep.equal(Object.fromEntries(FAULTS.map((f) => [f, 0])));
    expect(cluster!.stuckStarts, 'worker processes that hung in their start').to.deep.equal([]);
    expect(report.counters.kills, 'worker processes killed').to.be.greaterThan(0);
    expect(report.counters.redisRestarts, 'Redis restarts').to.equal(1);
  });
});
