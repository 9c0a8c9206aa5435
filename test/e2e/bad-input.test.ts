/**
 * Bad input gets a clear error and changes nothing (DESIGN invariant 8), through the TS API with
 * a worker on real runc.
 */
import { expect } from 'chai';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { Berth } from '../../src/queue/client.js';
import { BerthWorker } from '../../src/queue/worker.js';
import { BerthError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { ExitDirMonitor, RuncRuntime } from '../../src/oci/index.js';
import { MAX_ARG_STRLEN } from '../../src/spec.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { rejection } from '../helpers/assert.js';

describe('e2e: bad input', function () {
  this.timeout(30_000);
  let s: Stack;
  before(async () => {
    s = await startStack('badinput');
    await s.client.create({ name: 'taken', rootfs: s.rootfs, command: ['sleep', '1000'] });
  });
  after(async () => {
    await s?.close();
  });

  const count = async () => (await s.client.list({ all: true })).length;

  it('an unknown name or Id: ENOCTR', async () => {
    const e = await rejection(s.client.start('nosuch'));
    expect(e.code).to.equal('ENOCTR');
    expect(e.message).to.equal('no such container nosuch');
    expect((await rejection(s.client.inspect('0123456789ab'))).code).to.equal('ENOCTR');
  });

  it('a name already taken: EEXIST, nothing created', async () => {
    const before = await count();
    const e = await rejection(s.client.create({ name: 'taken', rootfs: s.rootfs, command: ['true'] }));
    expect(e.code).to.equal('EEXIST');
    expect(e.message).to.contain('"taken" is already in use');
    expect(await count()).to.equal(before);
  });

  it('a name taken again after rm reaches the new container, from a client that addressed the old one', async () => {
    const other = await Berth.connect({ redis: s.redis.url, prefix: s.prefix });
    try {
      const old = await s.client.create({ name: 'reused', rootfs: s.rootfs, command: ['sleep', '1000'] });
      await s.client.start('reused'); // s.client now knows where "reused" is
      // another client removes it and gives the name to a new container
      await other.remove('reused', { force: true, timeout: 0 });
      const fresh = await other.create({ name: 'reused', rootfs: s.rootfs, command: ['sleep', '1000'] });
      const started = await s.client.start('reused');
      expect(started.Id).to.equal(fresh.Id).and.not.equal(old.Id);
      expect(started.State.Status).to.equal('running');
      expect((await s.runc(fresh.Id))?.status).to.equal('running');
      expect(await s.runc(old.Id)).to.equal(null);
      expect((await rejection(s.client.inspect(old.Id))).code).to.equal('ENOCTR');
      // stop follows the name too: it waits for the new container's cleanup, not the old one's
      await other.remove('reused', { force: true, timeout: 0 });
      const third = await other.create({ name: 'reused', rootfs: s.rootfs, command: ['sleep', '1000'] });
      await other.start('reused');
      const stopped = await s.client.stop('reused', { timeout: 0 });
      expect(stopped.Id).to.equal(third.Id);
      expect(stopped.State.Status).to.equal('exited');
      expect(await s.runc(third.Id)).to.equal(null);
      await other.remove('reused');
      expect((await rejection(s.client.pause('reused'))).code).to.equal('ENOCTR');
    } finally {
      await other.close();
    }
  });

  it("a name outside Podman's pattern: EINVAL", async () => {
    const e = await rejection(s.client.create({ name: '-bad name', rootfs: s.rootfs, command: ['true'] }));
    expect(e.code).to.equal('EINVAL');
    expect(e.message).to.contain('name');
  });

  it('a missing rootfs: EINVAL from the node, and the name stays free', async () => {
    const before = await count();
    const e = await rejection(s.client.create({ name: 'norootfs', rootfs: '/nonexistent/rootfs', command: ['true'] }));
    expect(e.code).to.equal('EINVAL');
    expect(e.message).to.contain('/nonexistent/rootfs');
    expect(await count()).to.equal(before);
    const ok = await s.client.create({ name: 'norootfs', rootfs: s.rootfs, command: ['true'] });
    expect(ok.Name).to.equal('norootfs');
    await s.client.remove('norootfs');
  });

  it('a command not found in the rootfs: EINVAL, nothing created', async () => {
    const before = await count();
    const e = await rejection(s.client.create({ name: 'nocmd', rootfs: s.rootfs, command: ['no-such-binary'] }));
    expect(e.code).to.equal('EINVAL');
    expect(e.message).to.contain('no-such-binary');
    expect(await count()).to.equal(before);
  });

  /**
   * Specs that could only fail later (issue 17, point 7), each with the message both ways give:
   * the client's, and the failedReason of a plain BullMQ producer's create on the entry queue.
   */
  const laterFailures = (): Array<[string, Record<string, unknown>, string]> => [
    ['a NUL in an argument', { command: ['sh', '-c', 'echo a\0b'] }, 'command.2: contains a NUL byte'],
    ['a NUL in env', { command: ['true'], env: ['A=x\0'] }, 'env.0: contains a NUL byte'],
    ['a NUL in workdir', { command: ['true'], workdir: '/tmp\0' }, 'workdir: workdir contains a NUL byte'],
    ['an argument over MAX_ARG_STRLEN', { command: ['echo', 'x'.repeat(MAX_ARG_STRLEN)] }, 'command.1: is longer than the kernel takes (MAX_ARG_STRLEN: 131072 bytes with its NUL)'],
    ['env over MAX_ARG_STRLEN', { command: ['true'], env: { BIG: 'x'.repeat(MAX_ARG_STRLEN) } }, 'env: "BIG" is longer than the kernel takes (MAX_ARG_STRLEN: 131072 bytes with its NUL)'],
    ['a stop signal that is not one', { command: ['true'], stopSignal: 'SIGNOPE' }, 'stopSignal: stopSignal is not a signal (a name such as SIGTERM or TERM, or a number)'],
    ['a relative workdir', { command: ['true'], workdir: 'tmp' }, 'workdir: workdir must be an absolute path'],
    ['an env name that is not a name', { command: ['true'], env: { 'my-var': '1' } }, 'env: "my-var" is not a valid variable name (letters, digits and _, not starting with a digit)'],
    ['__proto__ as an env name', { command: ['true'], env: JSON.parse('{"__proto__": "x"}') as unknown }, 'env: "__proto__" is not allowed as a variable name'],
  ];

  it('a spec that could only fail later: EINVAL at create through the client, nothing created', async () => {
    const before = await count();
    for (const [what, spec, message] of laterFailures()) {
      const e = await rejection(s.client.create({ name: 'later', rootfs: s.rootfs, ...spec } as Parameters<typeof s.client.create>[0]));
      expect(e.code, what).to.equal('EINVAL');
      expect(e.message, what).to.equal(`invalid container spec: ${message}`);
    }
    expect(await count()).to.equal(before);
  });

  it('the same specs from a plain BullMQ producer: the job fails "EINVAL: …", short, nothing created', async () => {
    const options = { ...redisOptionsFromUrl(s.redis.url), maxRetriesPerRequest: null };
    const conn = new Redis(options);
    const blocking = new Redis(options);
    const entry = new Queue('entry', { connection: conn, prefix: `${s.prefix}:q` });
    const events = new QueueEvents('entry', { connection: blocking, prefix: `${s.prefix}:q` });
    try {
      await events.waitUntilReady();
      const before = await count();
      const failure = async (spec: Record<string, unknown>) => {
        const job = await entry.add('create', { spec: { name: 'later', rootfs: s.rootfs, ...spec } });
        return job.waitUntilFinished(events).then(
          () => 'created',
          (err: unknown) => (err as Error).message,
        );
      };
      for (const [what, spec, message] of laterFailures()) {
        const reason = await failure(spec);
        expect(reason, what).to.equal(`EINVAL: invalid job: spec.${message}`);
        expect(reason.length, what).to.be.below(300);
      }
      expect(await failure({ command: ['true'], rootfs: '/usr' })).to.equal(
        `EINVAL: rootfs "/usr" is outside the rootfs roots of node ${s.node} (${s.rootfs}): start its worker with --rootfs-root to allow a directory`,
      );
      expect(await count()).to.equal(before);
    } finally {
      await events.close();
      await entry.close();
      conn.disconnect();
      blocking.disconnect();
    }
  });

  it('an unknown signal: EINVAL before anything is queued', async () => {
    const e = await rejection(s.client.kill('taken', { signal: 'SIGNOPE' }));
    expect(e.code).to.equal('EINVAL');
    expect(e.message).to.contain('SIGNOPE');
    expect((await s.client.inspect('taken')).Version).to.equal(1);
  });

  it('a negative timeout: EINVAL', async () => {
    const e = await rejection(s.client.stop('taken', { timeout: -1 }));
    expect(e.code).to.equal('EINVAL');
    expect(e.message).to.contain('timeout');
    expect((await s.client.inspect('taken')).State.Status).to.equal('configured');
  });

  it('a refused command names the container, the command and the state, and changes nothing', async () => {
    const before = await s.client.inspect('taken');
    const e = await rejection(s.client.pause('taken'));
    expect(e.code).to.equal('ECTRSTATE');
    expect(e.message).to.equal('cannot pause container taken in state configured: container state improper');
    expect(await s.client.inspect('taken')).to.deep.equal(before);
  });

  it('Redis unreachable: EUNAVAIL within 5 s, never a hang', async () => {
    const t0 = Date.now();
    const e = await rejection(Berth.connect({ redis: 'redis://127.0.0.1:1' }));
    expect(e.code).to.equal('EUNAVAIL');
    expect(e.message).to.contain('cannot reach Redis at redis://127.0.0.1:1');
    expect(Date.now() - t0).to.be.below(5500);
  });

  it('runc missing: the worker refuses to start with ENORUNTIME naming it, and registers nothing', async () => {
    const node = 'no-runc';
    const starting = BerthWorker.start({
      redis: s.redis.url,
      prefix: s.prefix,
      node,
      runtime: new RuncRuntime({ runtime: '/nonexistent/runc', root: `${s.stateDir}/norunc-root`, stateDir: `${s.stateDir}/norunc` }),
      monitor: new ExitDirMonitor(`${s.stateDir}/norunc/exits`),
      log: createLogger({ level: 'silent', pretty: false }),
    });
    const e = await rejection(starting);
    expect(e.code).to.equal('ENORUNTIME');
    expect(e.message).to.contain('/nonexistent/runc');
    expect((await s.client.nodeList()).map((n) => n.name)).to.not.include(node);
  });
});
