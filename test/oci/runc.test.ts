/**
 * The runc adapter against real runc 1.1 and conmon 2.1 (private --root and stateDir). Exits are
 * awaited through the exit-dir monitor, never by sleeping.
 */
import { access, readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { ExecaError, execa } from 'execa';
import { ExitDirMonitor } from '../../src/oci/index.js';
import { ExitCollector, RUNC, makeSandbox, readLog, rejection, type Sandbox } from './support.js';

describe('oci/runc: RuncRuntime on real runc and conmon', function () {
  let s: Sandbox;
  let exits: ExitCollector;

  before(async () => {
    s = await makeSandbox('runc');
    exits = await new ExitCollector(s.runtime.exitMonitor()).start();
  });
  after(async () => {
    await exits?.close();
    await s?.cleanup();
  });

  it('creates, starts and reports running; the bundle follows the layout', async () => {
    const { pid } = await s.runtime.create(s.spec('run1', ['sleep', '1000']));
    expect(pid).to.be.greaterThan(0);
    expect(await s.runtime.state('run1')).to.deep.equal({ id: 'run1', status: 'created', pid });
    await s.runtime.start('run1');
    expect(await s.runtime.state('run1')).to.deep.equal({ id: 'run1', status: 'running', pid });
    expect((await s.runtime.list()).map((c) => c.id)).to.include('run1');
    const bundle = s.runtime.layout.bundle('run1');
    for (const f of ['config.json', 'sync.json', 'pidfile', 'conmon.pid', 'runc.log']) await access(`${bundle}/${f}`);
    expect(await readFile(`${bundle}/sync.json`, 'utf8')).to.equal(`{"data": ${pid}}\n`);
    expect(Number(await readFile(`${bundle}/pidfile`, 'utf8'))).to.equal(pid);
  });

  it('pauses and resumes, as `runc state` shows', async () => {
    await s.runtime.pause('run1');
    const direct = await execa(RUNC, ['--root', s.root, 'state', 'run1']);
    expect((JSON.parse(direct.stdout) as { status: string }).status).to.equal('paused');
    expect((await s.runtime.state('run1'))?.status).to.equal('paused');
    await s.runtime.resume('run1');
    expect((await s.runtime.state('run1'))?.status).to.equal('running');
  });

  it('records SIGKILL as 137, then deletes the stopped container', async () => {
    const exited = exits.next('run1');
    await s.runtime.kill('run1', 'KILL');
    const exit = await exited;
    expect(exit).to.include({ id: 'run1', code: 137, oomKilled: false });
    expect(Date.parse(exit.at)).to.be.closeTo(Date.now(), 10_000);
    expect(await s.runtime.state('run1')).to.deep.equal({ id: 'run1', status: 'stopped', pid: 0 });
    await s.runtime.delete('run1');
    expect(await s.runtime.state('run1')).to.equal(null);
  });

  it('records exit code 7 through the monitor and readExit; clearExit forgets it', async () => {
    await s.runtime.create(s.spec('ex7', ['sh', '-c', 'exit 7']));
    const exited = exits.next('ex7');
    await s.runtime.start('ex7');
    expect((await exited).code).to.equal(7);
    expect(await s.runtime.readExit('ex7')).to.deep.equal(await exited);
    await s.runtime.clearExit('ex7');
    expect(await s.runtime.readExit('ex7')).to.equal(null);
    await s.runtime.delete('ex7');
  });

  it('keeps stdout and stderr in the k8s-file log, joining partial records', async () => {
    await s.runtime.create(s.spec('logs1', ['sh', '-c', 'echo out; echo err >&2; printf "a\\nb\\n\\nc"']));
    const exited = exits.next('logs1');
    await s.runtime.start('logs1');
    await exited;
    const lines = await readLog(s.runtime.logFiles.path('logs1'));
    expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.text)).to.deep.equal(['err']);
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.text)).to.deep.equal(['out', 'a', 'b', '', 'c']);
    expect(lines.filter((l) => l.partial).map((l) => l.text)).to.deep.equal(['c']); // no newline after it
    expect(lines.every((l) => /^\d{4}-\d\d-\d\dT/.test(l.time))).to.equal(true);
    expect(await readLog(s.runtime.logFiles.path('never-made'))).to.deep.equal([]);
    await s.runtime.delete('logs1');
  });

  it('caps rlimits at the worker hard limit, so runc create succeeds without CAP_SYS_RESOURCE', async () => {
    await s.runtime.create(s.spec('limits', ['sh', '-c', 'ulimit -Hn; ulimit -Hu']));
    const exited = exits.next('limits');
    await s.runtime.start('limits');
    expect((await exited).code).to.equal(0);
    const limits = await readFile('/proc/self/limits', 'utf8');
    const hardNofile = Number(/Max open files\s+\S+\s+(\S+)/.exec(limits)![1]);
    const [nofile, nproc] = (await readLog(s.runtime.logFiles.path('limits'))).map((l) => Number(l.text));
    expect(nofile).to.equal(Math.min(1_048_576, hardNofile));
    expect(nproc).to.be.at.most(32_768);
    await s.runtime.delete('limits');
  });

  it('fails create with EOCI and conmon\'s message when the command is not found; nothing is left behind', async () => {
    const e = await rejection(s.runtime.create(s.spec('nocmd', ['no-such-binary'])), 'EOCI');
    expect(e.message).to.equal(
      'runc create failed: unable to start container process: exec: "no-such-binary": executable file not found in $PATH',
    );
    expect(await s.runtime.state('nocmd')).to.equal(null);
    expect(await s.runtime.readExit('nocmd')).to.equal(null);
  });

  it('reports runc\'s own error line with the ExecaError as cause', async () => {
    await s.runtime.create(s.spec('twice', ['sleep', '1000']));
    await s.runtime.start('twice');
    const e = await rejection(s.runtime.start('twice'), 'EOCI');
    expect(e.message).to.equal('runc start failed: cannot start an already running container');
    expect(e.cause).to.be.instanceOf(ExecaError);
    const d = await rejection(s.runtime.delete('twice'), 'EOCI');
    expect(d.message).to.equal('runc delete failed: cannot delete container twice that is not stopped: running');
    const exited = exits.next('twice');
    await s.runtime.delete('twice', { force: true });
    expect((await exited).code).to.equal(137);
    expect(await s.runtime.state('twice')).to.equal(null);
  });

  it('refuses to create over a container runc still has, leaving its files alone', async () => {
    await s.runtime.create(s.spec('dup', ['sleep', '1000']));
    const config = await readFile(`${s.runtime.layout.bundle('dup')}/config.json`, 'utf8');
    const e = await rejection(s.runtime.create(s.spec('dup', ['true'])), 'EOCI');
    expect(e.message).to.equal('runc create failed: container with id exists: dup');
    expect(await readFile(`${s.runtime.layout.bundle('dup')}/config.json`, 'utf8')).to.equal(config);
    await s.runtime.delete('dup');
  });

  it('treats a container runc does not know as gone: delete succeeds, state is null', async () => {
    await s.runtime.delete('ghost');
    await s.runtime.delete('ghost', { force: true });
    expect(await s.runtime.state('ghost')).to.equal(null);
    const e = await rejection(s.runtime.kill('ghost', 'TERM'), 'EOCI');
    expect(e.message).to.equal('runc kill failed: container does not exist');
  });

  it('refuses an unknown signal with EINVAL before calling runc', async () => {
    const e = await rejection(s.runtime.kill('ghost', 'SIGNOPE'), 'EINVAL');
    expect(e.message).to.equal('unknown signal "SIGNOPE"');
  });

  it('refuses ids that are not safe file names', async () => {
    const e = await rejection(s.runtime.purge('../escape'), 'EINVAL');
    expect(e.message).to.equal('invalid container id "../escape"');
  });

  it('purges the bundle, log and exit file', async () => {
    await s.runtime.create(s.spec('gone', ['sh', '-c', 'echo bye; exit 2']));
    const exited = exits.next('gone');
    await s.runtime.start('gone');
    expect((await exited).code).to.equal(2);
    await s.runtime.delete('gone');
    await s.runtime.purge('gone');
    await s.runtime.purge('gone');
    for (const p of [s.runtime.layout.bundle('gone'), s.runtime.layout.log('gone'), s.runtime.layout.exit('gone')]) {
      expect(await access(p).then(() => true, () => false), p).to.equal(false);
    }
  });

  it('reports an exit recorded while no monitor ran when the next monitor starts', async () => {
    await s.runtime.create(s.spec('offline', ['sh', '-c', 'exit 3']));
    const exited = exits.next('offline');
    await s.runtime.start('offline');
    await exited; // the exit file is on disk; now a fresh monitor starts, as after a worker restart
    const later = await new ExitCollector(new ExitDirMonitor(s.runtime.exitDir)).start();
    try {
      expect(await later.next('offline')).to.deep.equal(await exited);
    } finally {
      await later.close();
    }
    await s.runtime.delete('offline');
  });

  it("where CRIU cannot run: checkpointSupport gives criu check's first error line (asked once), runc checkpoint fails with runc's words", async function () {
    const why = await s.runtime.checkpointSupport();
    if (why === null) {
      this.test!.title += ' — skipped: criu check passes on this host';
      this.skip();
    }
    expect(why).to.match(/^Error \(criu\/[a-z_]+\.c:\d+\): /);
    expect(s.runtime.checkpointSupport()).to.equal(s.runtime.checkpointSupport());
    await s.runtime.create(s.spec('ckpt', ['sleep', '1000']));
    await s.runtime.start('ckpt');
    // the host refuses before this is ever called (actors/checkpoint-precheck.ts); called anyway:
    const e = await rejection(s.runtime.checkpoint('ckpt'), 'EOCI');
    expect(e.message).to.match(/^runc checkpoint failed: criu failed/);
    expect((await s.runtime.state('ckpt'))?.status).to.equal('running');
  });
});
