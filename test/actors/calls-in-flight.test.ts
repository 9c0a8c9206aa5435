/**
 * More than one runtime call in flight (issue 9, point 5), on a machine whose pause makes two
 * calls at once (test/helpers/two-calls-machine.ts):
 *  - machine level (pure): one step starts both; either answer alone leaves it pausing; both move it on;
 *  - host level (a real Redis, the fake runtime, a ContainerHost): both are committed in flight
 *    before either runs and run side by side; the command completes once both answered; after a
 *    crash each is settled from the runtime's view (one done, one run again); a lost lease aborts
 *    both, and they never run again under it.
 */
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { createCommit } from '../../src/actors/create-commit.js';
import { ContainerHost } from '../../src/actors/host.js';
import type { Scheduler } from '../../src/actors/pending-effects.js';
import { hydrateSnapshot, serializeSnapshot } from '../../src/actors/snapshot.js';
import { positionOf, step, type CallEffect, type MachineEventInput } from '../../src/actors/step.js';
import { BerthError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { events } from '../../src/machines/index.js';
import { FakeRuntime } from '../../src/oci/fake.js';
import { ContainerStore } from '../../src/store/containers.js';
import { Keys } from '../../src/store/keys.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';
import { twoCallsInitial, twoCallsMachine } from '../helpers/two-calls-machine.js';

const Ev = (e: unknown) => e as MachineEventInput;
const calls = (effects: readonly { kind: string }[]) => effects.filter((e): e is CallEffect => e.kind === 'call').map((c) => `${c.call}#${c.id}`);

describe('actors: runtime calls side by side (machine)', () => {
  it('one step starts both calls; the state moves on only when both have answered, in either order', () => {
    const r = step(twoCallsInitial(), Ev(events.pause()), twoCallsMachine);
    expect(calls(r.effects)).to.deep.equal(['ociPause#pause', 'ociKill#cont']);
    expect(Object.keys(r.snapshot.children).sort()).to.deep.equal(['cont', 'pause']);
    expect(positionOf(r.snapshot)).to.deep.include({ status: 'running', activity: 'calling+calling' });
    for (const [first, second] of [['pause', 'cont'], ['cont', 'pause']] as const) {
      const one = step(r.snapshot, Ev(events.done(first)), twoCallsMachine);
      expect(positionOf(one.snapshot).status, `after ${first} alone`).to.equal('running');
      expect(Object.keys(one.snapshot.children)).to.deep.equal([second]);
      const both = step(one.snapshot, Ev(events.done(second)), twoCallsMachine);
      expect(positionOf(both.snapshot).status, `after ${first} then ${second}`).to.equal('paused');
    }
  });
});

describe('actors: runtime calls side by side (host)', function () {
  this.timeout(20_000);
  let redis: TestRedis;
  let conn: Redis;
  let keys: Keys;
  let store: ContainerStore;
  let fake: FakeRuntime;
  const scheduler: Scheduler = { schedule: async () => {}, cancel: async () => {}, requestCleanup: async () => {}, probe: async () => {} };
  const log = createLogger({ level: 'silent' });
  const host = (leaseMs = 1500) => new ContainerHost({ node: 'n1', runtime: fake, store, scheduler, log, leaseMs, machine: twoCallsMachine });

  before(async () => {
    redis = await startRedis();
    conn = new Redis({ ...redisOptionsFromUrl(redis.url), maxRetriesPerRequest: null });
  });
  after(async () => {
    conn?.disconnect();
    await redis?.stop();
  });
  beforeEach(() => {
    keys = new Keys(testPrefix('inflight'));
    store = new ContainerStore(conn, keys);
    fake = new FakeRuntime();
  });

  /** A running container of the two-calls machine, and its pause queued: [id, seq]. */
  async function runningWithPause(name: string): Promise<[string, number]> {
    const id = (name + '0'.repeat(64)).replace(/[^0-9a-f]/g, 'a').slice(0, 64);
    const spec = { name, rootfs: '/', command: ['sleep', '1000'], env: [], workdir: '/', hostname: name, stopSignal: 'SIGTERM', stopTimeout: 10, node: 'n1', network: 'none' as const, seccomp: 'default' as const, pidsLimit: 2048, stdin: false, tty: false };
    const createSeq = await store.enqueue(id, JSON.stringify({ command: 'create', container: id }), { create: { name } });
    const { args } = createCommit({ id, node: 'n1', spec, seq: createSeq, jobId: 'j0', at: new Date().toISOString() });
    await store.create({ ...args, snapshot: serializeSnapshot(twoCallsInitial(), twoCallsMachine), status: 'running' });
    await fake.create({ id, run: 1, rootfs: '/', command: spec.command, env: [], workdir: '/', hostname: name, stopSignal: 'SIGTERM' });
    await fake.start(id);
    return [id, await store.enqueue(id, JSON.stringify({ command: 'pause', container: id }))];
  }

  it('commits both calls in flight before either runs, runs them side by side, and completes when both answered', async () => {
    const [id, seq] = await runningWithPause('both');
    const pause = fake.holdNext('pause');
    const cont = fake.holdNext('kill');
    const drained = host().drain(id, seq);
    await Promise.all([pause.reached, cont.reached]);
    const record = (await store.get(id))!;
    const committed = hydrateSnapshot(record.snapshot, id, twoCallsMachine);
    expect(Object.keys(committed.children).sort(), 'both in flight in the committed snapshot').to.deep.equal(['cont', 'pause']);
    expect(record.applied, 'the command is not complete yet').to.equal(seq - 1);
    cont.release();
    pause.release();
    const result = await drained;
    expect(result.ok).to.equal(true);
    expect(result.inspect.State.Status).to.equal('paused');
    expect(fake.calls.filter((c) => c.id === id && (c.verb === 'pause' || c.verb === 'kill')).map((c) => `${c.verb}${c.args.length ? ` ${String(c.args[0])}` : ''}`)).to.deep.equal(['pause', 'kill SIGCONT']);
    expect((await store.history(id)).slice(1).map((h) => `${h.from}->${h.to}`), 'one transition, once both answered').to.deep.equal(['running->paused']);
  });

  it('settles each call of a crashed drain from the runtime: what took effect is not run again', async () => {
    const [id, seq] = await runningWithPause('crash');
    const pause = fake.holdNext('pause');
    const cont = fake.holdNext('kill');
    const first = host();
    const crashed = first.drain(id, seq).then(() => null, (err: unknown) => err);
    await Promise.all([pause.reached, cont.reached]);
    // the worker dies with both calls in flight; runc had paused the container already
    first.abortAll('worker killed');
    expect(await crashed).to.be.instanceOf(BerthError).with.property('code', 'ESTALE');
    expect([pause.aborted, cont.aborted], 'both calls were aborted').to.deep.equal([true, true]);
    fake.containers.get(id)!.status = 'paused';
    const before = fake.calls.length;
    const result = await host().drain(id, seq);
    expect(result.inspect.State.Status).to.equal('paused');
    const after = fake.calls.slice(before).filter((c) => c.id === id);
    expect(after.map((c) => c.verb), 'runc state read once; the pause settled as done; the signal run again').to.deep.equal(['state', 'kill']);
    expect((await store.history(id)).filter((h) => h.to === 'paused'), 'applied once').to.have.length(1);
  });

  it('a lease lost while both calls run aborts both, and neither runs again under it', async () => {
    const [id, seq] = await runningWithPause('fenced');
    const pause = fake.holdNext('pause');
    const cont = fake.holdNext('kill');
    const drained = host(600).drain(id, seq).then(() => null, (err: unknown) => err);
    await Promise.all([pause.reached, cont.reached]);
    await conn.set(keys.container(id).lease, 'another-worker', 'PX', 60_000);
    const err = await drained;
    expect(err).to.be.instanceOf(BerthError).with.property('code', 'ESTALE');
    expect([pause.aborted, cont.aborted]).to.deep.equal([true, true]);
    expect(fake.containers.get(id)!.status, 'the pause never reached the runtime').to.equal('running');
    expect((await store.get(id))!.applied, 'nothing acknowledged').to.equal(seq - 1);
  });
});
