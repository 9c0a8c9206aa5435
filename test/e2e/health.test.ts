/**
 * Health checks end to end on real runc, through the queue (issue 13, point 3): probes by runc
 * exec on the node every interval (1 s here), State.Health as Podman's, unhealthy after retries,
 * a timeout that kills the probe (runc ps no longer lists it), --health-on-failure restart (a new
 * process, RestartCount, the history) and kill (137), no probe timer while paused, `healthcheck
 * run` (0 / 1, Podman's refusals), health_status events only on a change, and bad input refused
 * at create with nothing created. Every wait is on the events stream.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BerthError } from '../../src/errors.js';
import type { Inspect } from '../../src/actors/inspect.js';
import { inspectFrom } from '../../src/actors/inspect.js';
import type { ContainerSpecInput } from '../../src/spec.js';
import { RUNC, startStack, type Stack } from '../helpers/stack.js';

describe('e2e: health checks', function () {
  this.timeout(60_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack('health');
  });
  after(async () => {
    await stack?.close();
  });

  /** Resolves with the container's inspect once `pred` holds for it (now, or at a later commit). */
  async function until(id: string, pred: (i: Inspect) => boolean): Promise<Inspect> {
    const { record, cursor } = await stack.client.store.readWithCursor(id);
    if (record && pred(inspectFrom(record))) return inspectFrom(record);
    const e = await stack.client.eventFeed().waitFor(cursor, (ev) => ev.id === id && pred(ev.state as unknown as Inspect));
    return e.state as unknown as Inspect;
  }

  async function run(name: string, healthcheck: ContainerSpecInput['healthcheck']): Promise<string> {
    // sleep as pid 1 ignores SIGTERM: a stop (on-failure restart) waits out the stop timeout
    const c = await stack.client.create({ name, rootfs: stack.rootfs, command: ['sleep', '1000'], stopTimeout: 1, healthcheck });
    await stack.client.start(name);
    return c.Id;
  }

  /** The health_status events of a container so far, in order. */
  async function healthEvents(name: string): Promise<string[]> {
    const out: string[] = [];
    for await (const e of stack.client.events({ since: new Date(0), until: new Date(), filter: { container: name, event: 'health_status' } })) out.push(e.health_status ?? '?');
    return out;
  }

  it('healthy: `true` probed through runc exec, State.Health as Podman\'s, healthcheck run exits 0', async () => {
    const id = await run('ok', { test: 'true', interval: '1s' });
    const i = await until(id, (x) => x.State.Health?.Status === 'healthy');
    expect(i.State.Health).to.deep.include({ Status: 'healthy', FailingStreak: 0 });
    expect(i.State.Health!.Log[0]).to.include({ ExitCode: 0, Output: '' });
    expect(i.Config.Healthcheck).to.deep.equal({ Test: ['CMD-SHELL', 'true'], Interval: 1e9, Timeout: 30e9, StartPeriod: 0, Retries: 3 });
    expect((await stack.runc(id))?.status).to.equal('running');
    const r = await stack.client.healthcheckRun('ok');
    expect(r).to.deep.include({ Status: 'healthy', ExitCode: 0 });
  });

  it('unhealthy after retries (`false`); events only on a change; healthcheck run exits 1', async () => {
    const id = await run('bad', { test: ['sh', '-c', 'echo nope; exit 1'], interval: '1s', retries: 2 });
    const i = await until(id, (x) => x.State.Health?.Status === 'unhealthy');
    expect(i.State.Health!.FailingStreak).to.equal(2);
    expect(i.State.Health!.Log.map((l) => [l.ExitCode, l.Output])).to.deep.equal([[1, 'nope'], [1, 'nope']]);
    await until(id, (x) => (x.State.Health?.FailingStreak ?? 0) >= 3);
    expect(await healthEvents('bad')).to.deep.equal(['unhealthy']);
    const r = await stack.client.healthcheckRun('bad');
    expect(r).to.deep.include({ Status: 'unhealthy', ExitCode: 1 });
    expect(r.Result).to.include({ ExitCode: 1, Output: 'nope' });
    expect(i.State.Status).to.equal('running');
  });

  it('a probe past its timeout is killed and fails with -1', async () => {
    const id = await run('slow', { test: ['sleep', '30'], interval: '1s', timeout: '1s', retries: 1 });
    const i = await until(id, (x) => x.State.Health?.Status === 'unhealthy');
    expect(i.State.Health!.Log[0]!.ExitCode).to.equal(-1);
    // only the container's own process is left: the probe's sleep 30 was killed
    const ps = await execa(RUNC, ['--root', stack.root, 'ps', '--format', 'json', id]);
    const pids = JSON.parse(ps.stdout) as number[];
    const cmds = await Promise.all(pids.map((p) => execa('cat', [`/proc/${p}/cmdline`], { reject: false }).then((r) => r.stdout.replace(/\0/g, ' ').trim())));
    expect(cmds.filter((c) => c.includes('sleep 30'))).to.deep.equal([]);
    await stack.client.remove('slow', { force: true, timeout: 0 });
  });

  it('paused: no probe timer while paused; unpause sets it again', async () => {
    const id = await run('nap', { test: 'true', interval: '1s' });
    await until(id, (x) => x.State.Health?.Status === 'healthy');
    await stack.client.pause('nap');
    expect(Object.keys((await stack.client.store.get(id))!.timers)).to.not.include('health');
    const frozen = (await stack.client.inspect('nap')).State.Health!.Log.length;
    await stack.client.unpause('nap');
    expect(Object.keys((await stack.client.store.get(id))!.timers)).to.include('health');
    await until(id, (x) => x.State.Health!.Log.length > frozen || x.State.Health!.Log.at(-1)!.Start > (x.State.StartedAt ?? ''));
    await stack.client.remove('nap', { force: true, timeout: 0 });
    await stack.client.remove('ok', { force: true, timeout: 0 });
  });

  it('--health-on-failure restart restarts it (a new process, RestartCount, the history); kill kills it', async () => {
    const id = await run('phoenix', { test: 'false', interval: '1s', retries: 1, onFailure: 'restart' });
    const pid = (await stack.runc(id))!.pid;
    const i = await until(id, (x) => x.RestartCount === 1 && x.State.Status === 'running' && x.State.Activity === '');
    expect(i.State.Health).to.deep.include({ Status: 'starting', FailingStreak: 0 });
    const now = await stack.runc(id);
    expect(now?.status).to.equal('running');
    expect(now?.pid).to.not.equal(pid);
    const h = (await stack.client.history('phoenix')).map((e) => `${e.from}>${e.to}:${e.command}`);
    expect(h).to.include('running>stopping:health (internal)');
    const after = h.slice(h.indexOf('running>stopping:health (internal)') + 1).map((e) => e.split(':')[0]);
    expect(after[0]).to.equal('stopping>stopped');
    expect(after.at(-1)).to.match(/>running$/);
    await stack.client.remove('phoenix', { force: true, timeout: 0 });

    const k = await run('doomed', { test: 'false', interval: '1s', retries: 1, onFailure: 'kill' });
    const dead = await until(k, (x) => x.State.Status === 'stopped' || x.State.Status === 'exited');
    expect(dead.State.ExitCode).to.equal(137);
    expect(dead.State.Health?.Status).to.equal('unhealthy');
  });

  it('healthcheck run: Podman\'s refusals for no health check and not running', async () => {
    await stack.client.create({ name: 'plain', rootfs: stack.rootfs, command: ['sleep', '1000'] });
    await stack.client.start('plain');
    const e1 = (await stack.client.healthcheckRun('plain').catch((e: BerthError) => e)) as BerthError;
    expect([e1.code, e1.message]).to.deep.equal(['ECTRSTATE', 'container plain has no defined healthcheck']);
    const e2 = (await stack.client.healthcheckRun('doomed').catch((e: BerthError) => e)) as BerthError;
    expect([e2.code, e2.message]).to.deep.equal(['ECTRSTATE', 'container doomed is not running']);
    await stack.client.remove('plain', { force: true, timeout: 0 });
  });

  it('bad input: clear errors, nothing created', async () => {
    const cases: Array<[ContainerSpecInput['healthcheck'], string]> = [
      [{ test: 'true', interval: 'soon' }, 'healthcheck.interval: time: invalid duration "soon"'],
      [{ test: 'true', timeout: '10ms' }, 'healthcheck-timeout must be at least 1 second'],
      [{ test: 'true', retries: -1 }, 'healthcheck-retries must be greater than 0'],
      [{ test: 'true', onFailure: 'explode' as 'kill' }, 'invalid on-failure action for the health check: supported actions are none, kill, restart, stop'],
      [{ test: ['/nonexistent'] }, 'the health check\'s command "/nonexistent" is not found in rootfs'],
    ];
    for (const [healthcheck, words] of cases) {
      const err = (await stack.client.create({ name: 'nope', rootfs: stack.rootfs, command: ['sleep', '1'], healthcheck }).catch((e: BerthError) => e)) as BerthError;
      expect(err.code, words).to.equal('EINVAL');
      expect(err.message).to.contain(words);
      expect((await stack.client.inspect('nope').catch((e: BerthError) => e)) as BerthError).to.have.property('code', 'ENOCTR');
    }
    // the string form needs /bin/sh: a rootfs with only a static sleep has none
    const nosh = join(stack.rootfs, 'tmp', `nosh-health-${process.pid}`);
    await mkdir(join(nosh, 'bin'), { recursive: true });
    await execa('cp', [join(stack.rootfs, 'bin', 'busybox'), join(nosh, 'bin', 'sleep')]);
    try {
      const err = (await stack.client.create({ name: 'nope', rootfs: nosh, command: ['/bin/sleep', '1'], healthcheck: { test: 'true' } }).catch((e: BerthError) => e)) as BerthError;
      expect(err.code).to.equal('EINVAL');
      expect(err.message).to.contain(`has no /bin/sh (give the command as a JSON array)`);
    } finally {
      await rm(nosh, { recursive: true, force: true });
    }
  });
});
