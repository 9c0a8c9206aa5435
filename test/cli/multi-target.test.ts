/**
 * Multi-target verbs as Podman 4: start, stop, kill, pause, unpause, restart and rm look every
 * name up first, and when one is unknown they name it (Podman's words and exit codes: 125, rm 1)
 * and act on none. Through the real `berth` CLI against a worker on real runc: the known
 * container's record (its version) and runc's view of it are unchanged.
 */
import { expect } from 'chai';
import { berth, lines } from './run-cli.js';
import { startStack, type Stack } from '../helpers/stack.js';

const unknown = (name: string) => `Error: no container with name or ID "${name}" found: no such container`;

describe('cli: multi-target verbs act on none when one name is unknown (Podman 4)', function () {
  this.timeout(60_000);
  let s: Stack;
  const cli = (...args: string[]) => berth(['--redis', s.redis.url, ...args]);

  before(async () => {
    s = await startStack('cli-multi', { prefix: '{berth}' });
    await s.client.create({ name: 'mt-new', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.create({ name: 'mt-up', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start('mt-up');
    await s.client.create({ name: 'mt-frozen', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start('mt-frozen');
    await s.client.pause('mt-frozen');
  });
  after(async () => {
    await s?.close();
  });

  // each verb with a container it would act on, and the state runc shows for it
  const CASES: Array<[string, string[], string, string | null]> = [
    ['start', [], 'mt-new', null],
    ['stop', ['-t', '0'], 'mt-up', 'running'],
    ['kill', [], 'mt-up', 'running'],
    ['pause', [], 'mt-up', 'running'],
    ['unpause', [], 'mt-frozen', 'paused'],
    ['restart', ['-t', '0'], 'mt-up', 'running'],
    ['rm', ['-f', '-t', '0'], 'mt-up', 'running'],
  ];

  for (const [verb, flags, known, runcStatus] of CASES) {
    it(`${verb} ${known} no-such: names it, exit ${verb === 'rm' ? 1 : 125}, ${known} untouched`, async () => {
      const before = await s.client.inspect(known);
      const r = await cli(verb, ...flags, known, 'no-such');
      expect(r).to.deep.include({ code: verb === 'rm' ? 1 : 125, stdout: '' });
      expect(lines(r.stderr)).to.deep.equal([unknown('no-such')]);
      const after = await s.client.inspect(known);
      expect(after.Version, 'no transition').to.equal(before.Version);
      expect(after.State.Status).to.equal(before.State.Status);
      const runc = await s.runc(before.Id);
      expect(runc?.status ?? null, 'runc unchanged').to.equal(runcStatus);
      if (runc) expect(runc.pid).to.equal(before.State.Pid);
    });
  }

  it('every unknown name is reported, in order; with all names known the verb acts on each', async () => {
    const r = await cli('pause', 'gone-1', 'mt-up', 'gone-2');
    expect(r).to.deep.include({ code: 125, stdout: '' });
    expect(lines(r.stderr)).to.deep.equal([unknown('gone-1'), unknown('gone-2')]);
    expect(await cli('pause', 'mt-up')).to.deep.include({ code: 0, stdout: 'mt-up' });
    const both = await cli('unpause', 'mt-up', 'mt-frozen');
    expect(both).to.deep.include({ code: 0, stdout: 'mt-up\nmt-frozen', stderr: '' });
    for (const name of ['mt-up', 'mt-frozen']) expect((await s.runc((await s.client.inspect(name)).Id))?.status, name).to.equal('running');
  });
});
