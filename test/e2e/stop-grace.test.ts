/**
 * A stop never stalls: a signal the user sends during a stop's grace period (here SIGTERM to a
 * process that ignores it) does not take the deadline's SIGKILL away. Real runc, through the queue.
 */
import { expect } from 'chai';
import { BerthError } from '../../src/errors.js';
import { startStack, type Stack } from '../helpers/stack.js';

/** PID 1 that ignores SIGTERM: only SIGKILL ends it (137). */
const STUBBORN = ['sh', '-c', 'trap "" TERM; while :; do sleep 1; done'];

describe('e2e: a signal during the grace period', function () {
  this.timeout(60_000);
  let s: Stack;
  before(async () => {
    s = await startStack('grace');
  });
  after(async () => {
    await s?.close();
  });

  /** Resolves with the exit code, or fails naming where the stop is stuck. */
  async function exitCode(name: string, withinMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void s.client.inspect(name).then((i) => reject(new BerthError('ETIMEOUT', `${name} stuck in ${i.State.Status}.${i.State.Activity} (pid ${i.State.Pid})`)), reject);
      }, withinMs);
    });
    try {
      return await Promise.race([s.client.wait(name), stuck]);
    } finally {
      clearTimeout(timer);
    }
  }

  for (const command of ['stop', 'restart'] as const) {
    it(`${command} -t 1, then kill -s SIGTERM before the deadline: SIGKILL still follows`, async () => {
      const name = `grace-${command}`;
      const c = await s.client.create({ name, rootfs: s.rootfs, command: STUBBORN });
      await s.client.start(name);
      const { cursor } = await s.client.store.readWithCursor(c.Id);
      const { result } = await s.client.enqueue(name, command, { timeout: 1 });
      // the command is answered once the machine rests: the stop signal sent, the deadline set
      expect((await result()).State).to.include({ Status: 'stopping', Activity: 'waiting' });
      const killed = await s.client.kill(name, { signal: 'SIGTERM' });
      expect(killed.State.Status, 'the process ignores TERM').to.equal('stopping');
      if (command === 'stop') {
        expect(await exitCode(name, 15_000), 'SIGKILL at the deadline').to.equal(137);
        expect((await s.client.inspect(name)).State.Status).to.not.equal('stopping');
      } else {
        const exited = s.client.eventFeed().waitFor(cursor, (e) => e.id === c.Id && e.to === 'stopped.cleaning');
        const again = s.client.eventFeed().waitFor(cursor, (e) => e.id === c.Id && e.state.State.Status === 'running' && e.state.State.Activity === '');
        expect((await exited).state.State.ExitCode, 'SIGKILL at the deadline').to.equal(137);
        await again;
        const now = await s.client.inspect(c.Id);
        expect(now.State.Status).to.equal('running');
        expect(now.State.Pid).to.not.equal(c.State.Pid);
        expect((await s.runc(c.Id))?.status, 'running again in runc').to.equal('running');
      }
    });
  }
});
