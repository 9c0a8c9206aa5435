/**
 * client.batch (issue 12) end to end through the queue on real runc: pause + unpause + stop as one
 * mailbox entry (each step in the history, runc's state after), a failing batch (the state of the
 * last good step, the failed step named), a batch job delivered again (not applied twice), and
 * bad input (an unknown command, rm and an internal command inside a batch): EINVAL, nothing changed.
 */
import { expect } from 'chai';
import { Queue, QueueEvents } from 'bullmq';
import type { BatchStep } from '../../src/machines/index.js';
import { resumeAt, stepLabel } from '../../src/actors/batch.js';
import { settled, startStack, type Stack } from '../helpers/stack.js';
import { rejection } from '../helpers/assert.js';

describe('e2e: batch', function () {
  this.timeout(60_000);
  let s: Stack;
  before(async () => {
    s = await startStack('batch');
  });
  after(async () => {
    await s?.close();
  });

  const loop = ['sh', '-c', 'trap "exit 3" TERM; while :; do sleep 0.05; done'];

  it('applies pause, unpause and stop as one entry: every step in the history, runc agrees', async () => {
    const c = await s.client.create({ name: 'b1', rootfs: s.rootfs, command: loop });
    await s.client.start('b1');
    const { jobId } = await s.client.enqueue('b1', 'batch', { steps: [{ command: 'pause' }, { command: 'unpause' }, { command: 'stop', timeout: 5 }] });
    const exited = s.client.wait('b1');
    expect(await exited).to.equal(3);
    const steps = (await s.client.history('b1')).filter((h) => h.jobId === jobId).map((h) => `${h.command}: ${h.from}->${h.to}`);
    expect(steps).to.deep.equal(['batch 1/3 pause: running->paused', 'batch 2/3 unpause: paused->running', 'batch 3/3 stop: running->stopping']);
    await settled(s.client, 'b1', 'exited');
    expect(await s.runc(c.Id)).to.equal(null);
  });

  it('stops at a refused step, naming it, and leaves the state of the last applied step', async () => {
    const c = await s.client.create({ name: 'b2', rootfs: s.rootfs, command: loop });
    await s.client.start('b2');
    const err = await rejection(s.client.batch('b2', [{ command: 'pause' }, { command: 'pause' }, { command: 'unpause' }]));
    expect(err.code).to.equal('ECTRSTATE');
    expect(err.message).to.include('batch step 2 of 3 (pause) failed');
    const now = await s.client.inspect('b2');
    expect(now.State.Status).to.equal('paused');
    expect(await s.runc(c.Id)).to.include({ status: 'paused' });
    expect((await s.client.history('b2')).map((h) => h.command).filter((x) => x.startsWith('batch'))).to.deep.equal(['batch 1/3 pause']);
  });

  it('answers a batch job delivered again from its stored result, applying nothing twice', async () => {
    const c = await s.client.inspect('b2');
    const { jobId, result } = await s.client.enqueue('b2', 'batch', { steps: [{ command: 'unpause' }, { command: 'pause' }] });
    expect((await result()).State.Status).to.equal('paused');
    const before = await s.client.history('b2');
    const seq = Number(jobId.slice(jobId.lastIndexOf('-') + 1));
    // the same entry again, as BullMQ redelivers it (a new job for the same seq)
    const name = s.client.keys.nodeQueue(s.node);
    const queue = new Queue(name, { connection: { path: s.redis.url.replace(/^unix:\/\//, '') }, prefix: s.client.keys.queuePrefix });
    const events = new QueueEvents(name, { connection: { path: s.redis.url.replace(/^unix:\/\//, '') }, prefix: s.client.keys.queuePrefix });
    try {
      await events.waitUntilReady();
      await (await queue.getJob(jobId))?.remove(); // the completed job goes, so the same id can be delivered again
      const job = await queue.add('batch', { command: 'batch', container: c.Id, seq, steps: [{ command: 'unpause' }, { command: 'pause' }] }, { jobId });
      expect(job.id).to.equal(jobId);
      const again = (await job.waitUntilFinished(events, 20_000)) as { State: { Status: string } };
      expect(again.State.Status).to.equal('paused');
    } finally {
      await queue.close();
      await events.close();
    }
    expect(await s.client.history('b2')).to.deep.equal(before);
    expect(await s.runc(c.Id)).to.include({ status: 'paused' });
  });

  it('refuses an unknown command, rm and internal commands inside a batch, changing nothing', async () => {
    const before = await s.client.inspect('b2');
    const cases: [BatchStep[], string][] = [
      [[{ command: 'frobnicate' } as unknown as BatchStep], '"frobnicate" cannot be in a batch'],
      [[{ command: 'unpause' }, { command: 'remove' } as unknown as BatchStep], 'a container cannot be removed inside a batch'],
      [[{ command: 'exited', code: 0, at: 'now' } as unknown as BatchStep], '"exited" cannot be in a batch'],
      [[{ command: 'stop', timeout: -1 }], 'stop: timeout'],
      [[], 'a batch needs a step'],
    ];
    for (const [steps, message] of cases) {
      const err = await rejection(s.client.batch('b2', steps));
      expect(err.code, message).to.equal('EINVAL');
      expect(err.message).to.include(message);
    }
    const after = await s.client.inspect('b2');
    expect(after.Version).to.equal(before.Version);
    expect(await s.runc(before.Id)).to.include({ status: 'paused' });
  });

  it('resumes after the last step a job committed (a worker died mid-batch)', () => {
    expect(resumeAt([])).to.equal(0);
    expect(resumeAt(['batch', stepLabel(1, 3, 'unpause'), stepLabel(0, 3, 'pause')])).to.equal(2);
    expect(resumeAt(['kill'])).to.equal(0);
  });
});
