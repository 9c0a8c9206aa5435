/**
 * The worker's Prometheus metrics (issue 14, point 2), scraped over HTTP from a real worker on
 * real runc: exactly the documented berth_* names beside prom-client's process metrics, and their
 * values moving through a lifecycle (create, start, restart, stop, kill, rm), each step checked
 * against what runc itself reports.
 */
import { expect } from 'chai';
import { METRIC_NAMES } from '../../src/telemetry/metrics.js';
import { checkWorkerFlags } from '../../src/cli/commands/worker.js';
import { rejection } from '../helpers/assert.js';
import { settled, startStack, type Stack } from '../helpers/stack.js';

/** `name{labels}` -> value, from the Prometheus text exposition. */
type Scrape = Map<string, number>;

function parse(text: string): Scrape {
  const out: Scrape = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('telemetry: the worker serves Prometheus metrics that move through a lifecycle', function () {
  this.timeout(30_000);
  let s: Stack;
  let base: string;
  const scrape = async (): Promise<Scrape> => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.contain('text/plain');
    return parse(await res.text());
  };
  const containers = (m: Scrape, state: string) => m.get(`berth_containers{state="${state}",node="${s.node}"}`);
  const commands = (m: Scrape, command: string, outcome = 'ok') => m.get(`berth_commands_total{command="${command}",outcome="${outcome}"}`) ?? 0;
  const calls = (m: Scrape, call: string) => m.get(`berth_runtime_call_duration_seconds_count{call="${call}"}`) ?? 0;
  const exits = (m: Scrape, code: number) => m.get(`berth_exits_total{code="${code}"}`) ?? 0;

  before(async () => {
    s = await startStack('metrics', { metricsPort: 0 });
    const at = s.worker.metricsAddress;
    expect(at?.host).to.equal('127.0.0.1');
    base = `http://127.0.0.1:${at!.port}`;
  });
  after(async () => {
    await s?.close();
  });

  it('exactly the documented names, the default process metrics, and 404 elsewhere', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const berth = new Set([...text.matchAll(/^# TYPE (berth_\w+) /gm)].map((m) => m[1]));
    expect([...berth].sort()).to.deep.equal([...METRIC_NAMES].sort());
    expect(text).to.match(/^process_cpu_user_seconds_total /m);
    expect(text).to.match(/^nodejs_heap_size_total_bytes /m);
    expect((await fetch(`${base}/`)).status).to.equal(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).to.equal(405);
    const m = parse(text);
    expect(containers(m, 'running')).to.equal(0);
    expect(m.get('berth_lease_takeovers_total')).to.equal(0);
  });

  it('create, start, restart, stop, kill and rm move the counters, gauges and histograms', async () => {
    const m0 = await scrape();
    const web = await s.client.create({ name: 'm-web', rootfs: s.rootfs, command: ['sleep', '1000'] });
    // exits 5 on SIGUSR1 (a kill's exit code), 128+9 on SIGKILL
    const trap = await s.client.create({ name: 'm-trap', rootfs: s.rootfs, command: ['sh', '-c', 'trap "exit 5" USR1; sleep 1000 & wait'] });
    let m = await scrape();
    expect(containers(m, 'configured')).to.equal(2);
    expect(commands(m, 'create') - commands(m0, 'create')).to.equal(2);

    await s.client.start('m-web');
    await s.client.start('m-trap');
    expect((await s.runc(web.Id))?.status).to.equal('running');
    expect((await s.runc(trap.Id))?.status).to.equal('running');
    m = await scrape();
    expect(containers(m, 'running')).to.equal(2);
    expect(containers(m, 'configured')).to.equal(0);
    expect(commands(m, 'start')).to.equal(2);
    expect(calls(m, 'ociCreate')).to.equal(2);
    expect(calls(m, 'ociStart')).to.equal(2);
    expect(m.get('berth_command_duration_seconds_count{command="start"}')).to.equal(2);
    expect(m.get('berth_runtime_call_duration_seconds_sum{call="ociStart"}')).to.be.above(0);
    expect(m.get(`berth_queue_jobs{node="${s.node}",state="completed"}`)).to.be.at.least(4);

    // a refused command is counted under its error code
    expect((await rejection(s.client.unpause('m-web'))).code).to.equal('ECTRSTATE');
    m = await scrape();
    expect(commands(m, 'unpause', 'ECTRSTATE')).to.equal(1);

    const pid = (await s.runc(trap.Id))?.pid;
    const restarted = await s.client.restart('m-trap', { timeout: 0 });
    expect(restarted.State.Status).to.equal('running');
    expect((await s.runc(trap.Id))?.pid).to.not.equal(pid);
    m = await scrape();
    expect(m.get('berth_restarts_total')).to.equal(1);
    expect(exits(m, 137)).to.equal(1);

    await s.client.stop('m-web', { timeout: 0 });
    expect(await s.runc(web.Id)).to.equal(null); // cleaned up: runc no longer has it
    await s.client.kill('m-trap', { signal: 'USR1' });
    expect(await s.client.wait('m-trap')).to.equal(5);
    await settled(s.client, 'm-trap', 'exited'); // cleaned up after its exit
    expect(await s.runc(trap.Id)).to.equal(null);
    m = await scrape();
    expect(exits(m, 137)).to.equal(2);
    expect(exits(m, 5)).to.equal(1);
    expect(commands(m, 'stop')).to.equal(1);
    expect(commands(m, 'kill')).to.equal(1);
    expect(calls(m, 'ociKill')).to.be.at.least(2);
    expect(containers(m, 'running')).to.equal(0);
    expect(containers(m, 'exited')).to.equal(2);

    await s.client.remove('m-web');
    await s.client.remove('m-trap');
    expect(await s.runcList()).to.not.include.members([web.Id, trap.Id]);
    m = await scrape();
    expect(containers(m, 'exited')).to.equal(0);
    expect(commands(m, 'remove')).to.equal(2);
    expect(calls(m, 'ociRemove')).to.equal(2);
  });

  it('--metrics-port and --metrics-host are checked before anything starts', () => {
    expect(checkWorkerFlags({ metricsPort: '9464', metricsHost: '0.0.0.0' })).to.include({ metricsPort: 9464, metricsHost: '0.0.0.0' });
    expect(checkWorkerFlags({})).to.include({ metricsPort: undefined, metricsHost: undefined });
    for (const bad of ['-1', '65536', '80a', '']) {
      expect(() => checkWorkerFlags({ metricsPort: bad }), bad).to.throw(`\`--metrics-port\` must be a port number from 0 to 65535, got "${bad}"`);
    }
    expect(() => checkWorkerFlags({ metricsPort: '9464', metricsHost: 'a b' })).to.throw('`metricsHost` must be a host name or address, got "a b"');
  });
});
