/**
 * A plain BullMQ producer sends 5,000 seeded malformed and forged jobs to `entry` and to the node's
 * queue (issue 17, point 5), on real runc. Each fails with a short, clear reason
 * (`<CODE>: <one line>`, never the input echoed in full, never a raw validation dump); the worker
 * keeps serving; and no record, runc container or file of Berth's changes.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { ENTRY_QUEUE } from '../../src/queue/router.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { Keys } from '../../src/store/keys.js';
import { mulberry32 } from '../helpers/chaos.js';
import { startStack, type Stack } from '../helpers/stack.js';

const JOBS = 5000;
const SEED = Number(process.env['BERTH_FUZZ_SEED'] ?? 20261202);


/** Where the long strings the fuzzer sends begin (reasons may quote their start, never all). */
const ECHO = 'ECHO-MARKER';

function generator(rand: () => number, target: { id: string; name: string }) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const big = () => `${ECHO}${'x'.repeat(1000 + Math.floor(rand() * 100_000))}`;
  const junk = (): unknown =>
    pick<() => unknown>([
      () => null,
      () => -1,
      () => 1e308,
      () => big(),
      () => [1, 'two', { three: 3 }],
      () => ({ __proto__: { polluted: true } }),
      () => ({ nested: { deeper: { deepest: big() } } }),
      () => '\u0000\u001b[31m\r\n',
      () => true,
    ])();
  /** A value no argument of any command accepts (force, signal, timeout). */
  const invalid = () => pick<unknown>([null, 'yes', -1, 1.5, {}, [], big(), '\u0000']);
  const unknownNames = ['deadline', 'frobnicate', big(), '', '__proto__', 'constructor'];
  const containers = [target.id, target.name, 'no-such', big(), '', 'a'.repeat(64), '../../etc'];
  const missing = containers.filter((c) => c !== target.id && c !== target.name);
  return (): { name: string; data: Record<string, unknown> } => {
    const kind = Math.floor(rand() * 8);
    switch (kind) {
      case 0: // forged internal commands, with and without a seq
        return { name: pick(['exited', 'timer']), data: { container: target.id, code: 0, at: 'T', run: 1, timer: 'stopDeadline', v: 1, ...(rand() < 0.5 ? { seq: 1 + Math.floor(rand() * 5) } : {}) } };
      case 1: // a seq under a job id Berth never gives it
        return { name: pick(['start', 'kill', 'remove']), data: { container: target.id, seq: 1 + Math.floor(rand() * 100) } };
      case 2: // a create whose spec cannot run
        return { name: 'create', data: { spec: pick([junk(), { rootfs: junk(), command: junk() }, { rootfs: '/nonexistent', command: ['sh'], env: [`${ECHO}\u0000`] }, { rootfs: 'relative', command: [] }, { rootfs: '/nonexistent', command: ['true'], node: pick(['no-such-node', big()]) }]) } };
      case 3: // bad arguments for the existing container
        return { name: pick(['kill', 'stop', 'restart', 'remove']), data: { container: target.id, signal: invalid(), timeout: invalid(), force: invalid() } };
      case 4: // the container field itself
        return { name: pick(['start', 'pause', 'kill']), data: { container: junk() } };
      case 5: // entry's own fields
        return { name: pick(['start', 'kill']), data: { container: pick(missing), routedTo: junk(), command: junk() } };
      case 6: // unknown commands
        return { name: pick(unknownNames), data: { container: pick(containers), ...(rand() < 0.5 ? {} : { command: pick(unknownNames) }) } };
      default: // commands for containers that do not exist
        return { name: pick(['start', 'stop', 'kill', 'remove', 'pause']), data: { container: pick(missing) } };
    }
  };
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      // runc.log grows with every call Berth makes: its presence counts, not its size
      else out.push(`${p} ${e.name.endsWith('.log') ? '' : (await stat(p)).size}`);
    }
  };
  await walk(dir);
  return out.sort();
}

describe('e2e: 5,000 malformed and forged jobs from a plain producer', function () {
  this.timeout(240_000);
  let s: Stack;
  let conn: Redis;
  before(async () => {
    s = await startStack('fuzz');
    conn = new Redis({ ...redisOptionsFromUrl(s.redis.url), maxRetriesPerRequest: null });
  });
  after(async () => {
    conn?.disconnect();
    await s?.close();
  });

  it('fails each with a short, clear reason, keeps serving, and changes nothing', async () => {
    const keys = new Keys(s.prefix);
    const c = await s.client.create({ name: 'fuzz-target', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start(c.Id);
    const records = async () => Promise.all((await s.client.store.ids()).map((id) => conn.hgetall(keys.container(id).record)));
    const before = { records: await records(), runc: await s.runcList(), files: await files(s.stateDir), names: await conn.hgetall(keys.names) };

    const next = generator(mulberry32(SEED), { id: c.Id, name: 'fuzz-target' });
    const reasons = new Map<string, string>();
    for (const queueName of [ENTRY_QUEUE, keys.nodeQueue(s.node)]) {
      const queue = new Queue(queueName, { connection: conn, prefix: keys.queuePrefix });
      const events = new QueueEvents(queueName, { connection: conn.duplicate(), prefix: keys.queuePrefix });
      await events.waitUntilReady();
      try {
        const jobs = Array.from({ length: JOBS / 2 }, () => next());
        const pending = new Set<string>();
        let allAdded = false;
        let check = () => {};
        const settled = new Promise<void>((resolve) => {
          check = () => allAdded && pending.size === 0 && resolve();
          events.on('failed', ({ jobId, failedReason }) => {
            reasons.set(`${queueName}/${jobId}`, failedReason);
            pending.delete(jobId);
            check();
          });
          events.on('completed', ({ jobId, returnvalue }) => {
            reasons.set(`${queueName}/${jobId}`, `COMPLETED ${String(returnvalue).slice(0, 200)}`);
            pending.delete(jobId);
            check();
          });
        });
        for (let i = 0; i < jobs.length; i += 500) {
          const added = await queue.addBulk(jobs.slice(i, i + 500).map((j) => ({ name: j.name, data: j.data, opts: { attempts: 1 } })));
          for (const job of added) pending.add(job.id!);
        }
        // a failure may be reported before its job id was recorded here
        for (const id of [...pending]) if (reasons.has(`${queueName}/${id}`)) pending.delete(id);
        allAdded = true;
        check();
        await settled;
      } finally {
        await events.close();
        await queue.close();
      }
    }

    expect(reasons.size).to.equal(JOBS);
    // one line, at most 300 characters (so never the 100 KB inputs in full), no control characters
    const bad = [...reasons].filter(([, r]) => !/^E[A-Z]+: [^\u0000-\u001f\u007f]{1,296}$/.test(r) || r.length > 300 || /\{"|issues/.test(r));
    expect(bad.slice(0, 5).map(([j, r]) => `${j}: ${r.slice(0, 400)}`), `${bad.length} reasons that are not one short, clear line`).to.deep.equal([]);
    const codes = new Map<string, number>();
    for (const r of reasons.values()) codes.set(r.split(':')[0]!, (codes.get(r.split(':')[0]!) ?? 0) + 1);
    // nothing changed: records byte for byte, names, runc's containers, Berth's files
    const after = { records: await records(), runc: await s.runcList(), files: await files(s.stateDir), names: await conn.hgetall(keys.names) };
    expect(after.records).to.deep.equal(before.records);
    expect(after.runc).to.deep.equal(before.runc);
    expect(after.files).to.deep.equal(before.files);
    expect(after.names).to.deep.equal(before.names);
    // and the worker keeps serving
    expect((await s.client.pause(c.Id)).State.Status, `still serving (codes: ${JSON.stringify(Object.fromEntries(codes))})`).to.equal('paused');
  });
});
