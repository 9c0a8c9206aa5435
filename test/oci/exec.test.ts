/**
 * The runc adapter's exec on real runc and conmon: the session's own dir (exit dir, log, attach
 * socket), its exit recorded by its conmon and reported by the exec exit monitor, the process
 * spec built from the container's, an exec run again for one session (an interrupted call) giving
 * the pid of the first without a second process, -u resolved in the rootfs, a conmon gone without
 * an exit reported as -1; and the pure parts: env merging, USER[:GROUP] shapes, runc's words.
 */
import { access, readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { execa } from 'execa';
import { ExecDirMonitor } from '../../src/oci/exec-exit-monitor.js';
import { execStartMessage, runtimeMessage } from '../../src/oci/conmon-exec.js';
import { execProcess, mergeEnv } from '../../src/oci/exec-spec.js';
import { checkUserSpec, resolveExecUser } from '../../src/oci/exec-user.js';
import type { ExecExitRecord, ExecSpec } from '../../src/oci/types.js';
import { RUNC, makeSandbox, rejection, type Sandbox } from './support.js';

const sid = (n: number) => n.toString(16).padStart(64, 'e');
const spec = (n: number, command: string[], over: Partial<ExecSpec> = {}): ExecSpec => ({ session: sid(n), command, env: [], workdir: '', user: '', tty: false, stdin: false, ...over });

describe('oci/exec: conmon --exec on real runc', function () {
  let s: Sandbox;
  let monitor: ExecDirMonitor;
  const seen: ExecExitRecord[] = [];
  const waiters: Array<() => void> = [];
  const exitOf = (session: string) =>
    new Promise<ExecExitRecord>((resolve) => {
      const check = () => {
        const e = seen.find((x) => x.session === session);
        if (e) resolve(e);
        else waiters.push(check);
      };
      check();
    });

  before(async () => {
    s = await makeSandbox('exec');
    monitor = new ExecDirMonitor(s.runtime.layout);
    await monitor.start((e) => {
      seen.push(e);
      for (const w of waiters.splice(0)) w();
    });
    await s.runtime.create(s.spec('ctr', ['sleep', '1000'], { env: ['FROM_CTR=1'] }));
    await s.runtime.start('ctr');
  });
  after(async () => {
    await monitor?.close();
    await s?.cleanup();
  });

  it('runs in the session\'s own dir; its conmon records the exit, the monitor reports it', async () => {
    const { pid } = await s.runtime.exec('ctr', spec(1, ['sh', '-c', 'echo $FROM_CTR; exit 6']));
    expect(pid).to.be.greaterThan(0);
    const exit = await exitOf(sid(1));
    expect(exit).to.include({ id: 'ctr', session: sid(1), code: 6 });
    const L = s.runtime.layout;
    await access(L.execProcess('ctr', sid(1)));
    expect(await readFile(L.execLog('ctr', sid(1)), 'utf8')).to.match(/ stdout F 1\n$/);
    const process = JSON.parse(await readFile(L.execProcess('ctr', sid(1)), 'utf8')) as { args: string[]; capabilities: unknown; noNewPrivileges: boolean };
    const config = JSON.parse(await readFile(L.config('ctr'), 'utf8')) as { process: { capabilities: unknown; noNewPrivileges: boolean } };
    expect(process.capabilities).to.deep.equal(config.process.capabilities);
    expect(process.noNewPrivileges).to.equal(config.process.noNewPrivileges);
    await monitor.forget('ctr', sid(1));
    expect(await access(L.execDir('ctr', sid(1))).then(() => true, () => false)).to.equal(false);
  });

  it('an exec run again for one session gives the first one\'s pid and starts nothing more', async () => {
    const first = await s.runtime.exec('ctr', spec(2, ['sleep', '1000']));
    const again = await s.runtime.exec('ctr', spec(2, ['sleep', '1000']));
    expect(again.pid).to.equal(first.pid);
    const ps = JSON.parse((await execa(RUNC, ['--root', s.root, 'ps', '--format', 'json', 'ctr'])).stdout) as number[];
    expect(ps.filter((p) => p === first.pid)).to.have.length(1);
    expect(ps).to.have.length(2); // the container's sleep and one exec
    process.kill(first.pid, 'SIGKILL');
    expect((await exitOf(sid(2))).code).to.equal(137);
  });

  it('a conmon gone without an exit file is reported with -1', async () => {
    await s.runtime.exec('ctr', spec(3, ['sleep', '1000']));
    const conmon = Number(await readFile(s.runtime.layout.execConmonPidfile('ctr', sid(3)), 'utf8'));
    process.kill(conmon, 'SIGKILL');
    // until it has died (a zombie counts as dead): wait on its /proc entry's state, as the monitor reads it
    await execa('sh', ['-c', `while [ -e /proc/${conmon} ] && ! grep -q ') [ZX] ' /proc/${conmon}/stat; do :; done`]);
    await monitor.scan();
    expect((await exitOf(sid(3))).code).to.equal(-1);
  });

  it('not found and not runnable: runc\'s words, then Podman\'s', async () => {
    const missing = await rejection(s.runtime.exec('ctr', spec(4, ['nosuch'])), 'EOCI');
    expect(missing.message).to.equal('runc: exec failed: unable to start container process: exec: "nosuch": executable file not found in $PATH: OCI runtime attempted to invoke a command that was not found');
    const cwd = await rejection(s.runtime.exec('ctr', spec(5, ['true'], { workdir: '/nonexistent' })), 'EOCI');
    expect(cwd.message).to.match(/no such file or directory: OCI runtime attempted to invoke a command that was not found$/);
  });

  it('-u by name, number and group from the rootfs; an unknown one is EINVAL; a bad session id too', async () => {
    const nobody = await resolveExecUser(s.rootfs, 'nobody');
    const line = (await readFile(`${s.rootfs}/etc/passwd`, 'utf8')).split('\n').find((l) => l.startsWith('nobody:'))!.split(':');
    expect(nobody).to.include({ uid: Number(line[2]), gid: Number(line[3]) });
    expect(await resolveExecUser(s.rootfs, '1234:5678')).to.include({ uid: 1234, gid: 5678 });
    expect((await rejection(resolveExecUser(s.rootfs, 'ghost'), 'EINVAL')).message).to.equal('unable to find user ghost: no matching entries in passwd file');
    expect((await rejection(resolveExecUser(s.rootfs, 'root:ghosts'), 'EINVAL')).message).to.equal('unable to find group ghosts: no matching entries in group file');
    await rejection(s.runtime.exec('ctr', { ...spec(6, ['true']), session: '../../etc' }), 'EINVAL');
  });

  it('pure parts: env merged by key, USER[:GROUP] shapes, the process spec, runc\'s words from a sync message', async () => {
    expect(mergeEnv(['A=1', 'B=2', 'PATH=/bin'], ['B=3', 'C=4'])).to.deep.equal(['A=1', 'PATH=/bin', 'B=3', 'C=4']);
    expect(checkUserSpec('a:b')).to.equal(null);
    expect(checkUserSpec('a:b:c')).to.match(/expected USER\[:GROUP\]/);
    expect(checkUserSpec('a:')).to.match(/expected/);
    const p = execProcess({ args: ['sleep'], env: ['PATH=/bin', 'HOME=/root'], cwd: '/', user: { uid: 0, gid: 0 }, noNewPrivileges: true }, spec(7, ['id'], { tty: true, rows: 24, cols: 80, workdir: '/tmp' }), { uid: 65534, gid: 65534, additionalGids: [], home: '/home' });
    expect(p).to.deep.include({ args: ['id'], cwd: '/tmp', terminal: true, consoleSize: { height: 24, width: 80 }, noNewPrivileges: true, env: ['PATH=/bin', 'HOME=/home'] });
    expect(runtimeMessage('time="T" level=error msg="exec failed: a \\"b\\""\n')).to.equal('exec failed: a "b"');
    expect(execStartMessage('runc', 'msg="exec failed: permission denied"')).to.equal('runc: exec failed: permission denied: OCI permission denied');
  });
});
