/**
 * An exit belongs to one run. Each run of a container gets its own conmon persist dir, and
 * creating a run removes the others, so the exit of run N is reported as run N, and a conmon of an
 * earlier run that outlives its dir (its process killed by a cleanup's `delete --force`) can write
 * no exit file at all. Real runc and conmon.
 */
import { access, readFile, rm } from 'node:fs/promises';
import { expect } from 'chai';
import { ExitCollector, makeSandbox, type Sandbox } from './support.js';

/** Until the process is gone (conmon is not our child: no exit event to wait on), within `ms`. */
async function gone(pid: number, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (await access(`/proc/${pid}`).then(() => true, () => false)) {
    if (Date.now() > until) throw new Error(`process ${pid} still runs after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('oci/exit-runs: an exit names the run it ends', function () {
  this.timeout(30_000);
  let s: Sandbox;
  let exits: ExitCollector;

  before(async () => {
    s = await makeSandbox('runs');
    exits = await new ExitCollector(s.runtime.exitMonitor()).start();
  });
  after(async () => {
    await exits?.close();
    await s?.cleanup();
  });

  it('reports each run’s exit with its number; a new run starts with no exit recorded', async () => {
    await s.runtime.create(s.spec('r', ['sleep', '1000'], { run: 1 }));
    await s.runtime.start('r');
    await s.runtime.kill('r', 'SIGKILL');
    expect(await exits.next('r')).to.include({ code: 137, run: 1 });
    expect(await s.runtime.readExit('r')).to.include({ code: 137, run: 1 });
    await s.runtime.delete('r');
    await s.runtime.create(s.spec('r', ['sleep', '1000'], { run: 2 }));
    expect(await s.runtime.readExit('r'), 'run 2 has not exited').to.equal(null);
    await s.runtime.start('r');
    await s.runtime.kill('r', 'SIGKILL');
    expect(await exits.next('r')).to.include({ code: 137, run: 2 });
    await s.runtime.delete('r');
  });

  it('a conmon whose run dir is gone (a later run was created) writes no exit file', async () => {
    await s.runtime.create(s.spec('late', ['sleep', '1000'], { run: 1 }));
    await s.runtime.start('late');
    const conmon = Number(await readFile(s.runtime.layout.conmonPidfile('late'), 'utf8'));
    // what creating run 2 does to run 1's dir, while run 1's process still lives
    await rm(s.runtime.layout.runs('late'), { recursive: true, force: true });
    await s.runtime.delete('late', { force: true });
    await gone(conmon);
    expect(await s.runtime.readExit('late'), 'no exit of run 1 to take for a later run').to.equal(null);
    await access(s.runtime.layout.exit('late')).then(
      () => expect.fail('conmon wrote an exit file for a run whose dir is gone'),
      () => undefined,
    );
    expect(exits.pending().filter((e) => e.id === 'late')).to.deep.equal([]);
  });
});
