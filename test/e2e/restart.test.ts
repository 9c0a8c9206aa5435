/**
 * Restart policies end to end: real runc under conmon, through the queue, the backoff set by
 * BERTH_RESTART_BACKOFF_MS (the worker reads it at start). Every wait is on the events stream.
 */
import { expect } from 'chai';
import type { Inspect } from '../../src/actors/inspect.js';
import { formatPs } from '../../src/cli/ps-format.js';
import type { TransitionEvent } from '../../src/store/events.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { berth } from '../cli/run-cli.js';

const FIRST_MS = 400;

describe('e2e: restart policies on real runc', function () {
  this.timeout(60_000);
  let s: Stack;
  before(async () => {
    process.env['BERTH_RESTART_BACKOFF_MS'] = String(FIRST_MS);
    s = await startStack('restart');
  });
  after(async () => {
    delete process.env['BERTH_RESTART_BACKOFF_MS'];
    await s?.close();
  });

  /** Creates and starts it; resolves with its Id and the events cursor from before the start. */
  async function started(name: string, command: string[], restart: Record<string, unknown>): Promise<{ id: string; cursor: string }> {
    const c = await s.client.create({ name, rootfs: s.rootfs, command, ...restart });
    const { cursor } = await s.client.store.readWithCursor(c.Id);
    await s.client.start(name);
    return { id: c.Id, cursor };
  }
  /** The full State an event carries (the events stream types only part of it). */
  const st = (e: TransitionEvent) => e.state.State as unknown as Inspect['State'];
  const atRest = (e: TransitionEvent, id: string, status: string) => e.id === id && e.state.State.Status === status && e.state.State.Activity === '';

  it('on-failure:3: three restarts with doubling delays, then exited with RestartCount 3', async () => {
    const { id, cursor } = await started('onfail', ['sh', '-c', 'exit 3'], { restartPolicy: 'on-failure', restartRetries: 3 });
    const waits: Inspect['State'][] = [];
    const done = await s.client.eventFeed().waitFor(cursor, (e) => {
      if (e.id === id && st(e).Restarting && !waits.some((w) => w.NextRestartAt === st(e).NextRestartAt)) waits.push(st(e));
      return atRest(e, id, 'exited') && e.state.RestartCount === 3 && !st(e).Restarting;
    });
    expect(done.state.State.ExitCode).to.equal(3);
    const now = await s.client.inspect(id);
    expect(now).to.deep.include({ RestartCount: 3, HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } } });
    expect(now.State).to.include({ Status: 'exited', Restarting: false, ExitCode: 3 });
    expect(await s.runc(id), 'cleaned up: runc no longer has it').to.equal(null);
    // inspect showed each backoff while it waited: the delays double
    expect(waits.map((w) => w.RestartBackoffMs)).to.deep.equal([FIRST_MS, 2 * FIRST_MS, 4 * FIRST_MS]);
    for (const w of waits) expect(Date.parse(w.NextRestartAt!)).to.be.greaterThan(Date.parse(w.FinishedAt));
    // ps shows the crash loop (Docker's wording), from a state that waited
    const ps = formatPs([{ ...now, State: { ...now.State, ...waits[0]! } }], '{{.Status}} {{.Restarts}}', { now: Date.parse(waits[0]!.FinishedAt) });
    expect(ps).to.match(/^Restarting \(3\) in \d+s 3$/);
    // the history: 4 runs, and the gaps between each exit and the restart that followed double
    const history = await s.client.history(id);
    const runs = history.filter((h) => h.to === 'running');
    expect(runs).to.have.length(4);
    const gaps: number[] = [];
    history.forEach((h, i) => {
      if (h.from !== 'running' || h.to !== 'stopped') return;
      const restart = history.slice(i + 1).find((n) => n.command === 'timer (internal)');
      if (restart) gaps.push(Date.parse(restart.at) - Date.parse(h.at));
    });
    expect(gaps).to.have.length(3);
    expect(gaps[1]! / gaps[0]!, `gaps ${gaps.join(', ')}`).to.be.within(1.3, 3);
    expect(gaps[2]! / gaps[1]!, `gaps ${gaps.join(', ')}`).to.be.within(1.3, 3);
  });

  it('always restarts a clean exit; a user stop is never restarted and cancels the one waiting', async () => {
    const { id, cursor } = await started('always', ['sh', '-c', 'exit 0'], { restartPolicy: 'always' });
    // the third restart waits 4 × the first delay: the stop lands in that wait
    const waiting = await s.client.eventFeed().waitFor(cursor, (e) => atRest(e, id, 'exited') && st(e).Restarting && e.state.RestartCount === 2);
    expect(waiting.state.State.ExitCode, 'a clean exit, restarted').to.equal(0);
    const stopped = await s.client.stop('always');
    expect(stopped.State).to.include({ Status: 'exited', Restarting: false, StoppedByUser: true });
    expect(stopped.RestartCount).to.equal(2);
    const record = await s.client.store.get(id);
    expect(Object.keys(record!.timers), 'no restart timer left').to.not.include('restart');
    // a start by the user: RestartCount starts over, and the policy applies again
    const { cursor: c2 } = await s.client.store.readWithCursor(id);
    await s.client.start('always');
    const again = await s.client.eventFeed().waitFor(c2, (e) => e.id === id && st(e).Restarting);
    expect(again.state.RestartCount).to.equal(0);
    expect(st(again).StoppedByUser).to.equal(false);
    // rm -f cancels the restart waiting
    await s.client.remove('always', { force: true, timeout: 0 });
    expect(Object.keys((await s.client.store.get(id))?.timers ?? {})).to.not.include('restart');
  });

  it('unless-stopped: restarts a crash, not a user stop', async () => {
    const { id, cursor } = await started('unless', ['sh', '-c', 'sleep 0.2; exit 1'], { restartPolicy: 'unless-stopped' });
    await s.client.eventFeed().waitFor(cursor, (e) => atRest(e, id, 'running') && e.state.RestartCount === 1);
    const stopped = await s.client.stop('unless', { timeout: 0 });
    expect(stopped.State).to.include({ Status: 'exited', Restarting: false, StoppedByUser: true });
    expect(Object.keys((await s.client.store.get(id))!.timers)).to.not.include('restart');
    expect(await s.runc(id)).to.equal(null);
  });

  describe('bad input: a clear error, exit 125, nothing created', () => {
    it('--restart on-failure:-1 (the CLI; the other flags are parsed in test/restart-spec.test.ts)', async () => {
      const before = (await s.client.list({ all: true })).length;
      const r = await berth(['create', '--restart', 'on-failure:-1', '--rootfs', s.rootfs, 'true'], { BERTH_REDIS_URL: s.redis.url, BERTH_PREFIX: s.prefix });
      expect(r.code).to.equal(125);
      expect(r.stderr).to.contain('must specify restart policy retry count as a number greater than 0');
      expect((await s.client.list({ all: true })).length).to.equal(before);
    });
    it('through the API: a negative N, an unknown policy', async () => {
      for (const bad of [{ restartPolicy: 'on-failure', restartRetries: -1 }, { restartPolicy: 'sometimes' }]) {
        const err = await s.client.create({ rootfs: s.rootfs, command: ['true'], ...(bad as object) }).then(() => null, (e: unknown) => e);
        expect(err).to.have.property('code', 'EINVAL');
        expect(String((err as Error).message)).to.match(/restartRetries must not be negative|restartPolicy is no, on-failure, always, unless-stopped/);
      }
    });
  });
});
