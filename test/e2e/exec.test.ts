/**
 * Exec sessions end to end on real runc and conmon, through the queue: output in order from the
 * session's stream, exit codes (0, 3, 126, 127 as Podman), env / workdir / user, the session in
 * the container's state while it runs (ExecIDs, exec inspect) and after, stdin and a terminal
 * (its size, a resize), what runc itself runs
 * (the exec's process is the container's: `runc ps`), and refusals: a stopped or paused
 * container, an unknown user, an unknown session id.
 */
import { execa } from 'execa';
import { expect } from 'chai';
import type { Readable } from 'node:stream';
import type { BerthError } from '../../src/errors.js';
import { RUNC, settled, startStack, type Stack } from '../helpers/stack.js';

/** Everything a Readable gives until its end, as text. */
async function all(r: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('e2e: exec sessions', function () {
  this.timeout(60_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack('exec');
    await stack.client.create({ name: 'box', rootfs: stack.rootfs, command: ['sleep', '1000'], env: ['FROM_CTR=ctr'] });
    await stack.client.start('box');
  });
  after(async () => {
    await stack?.close();
  });

  it('streams stdout and stderr in order and ends with the exit code', async () => {
    const h = await stack.client.exec('box', ['sh', '-c', 'echo one; echo two >&2; echo three; exit 3']);
    const [out, err, code] = await Promise.all([all(h.stdout), all(h.stderr), h.exitCode]);
    expect(out).to.equal('one\nthree\n');
    expect(err).to.equal('two\n');
    expect(code).to.equal(3);
    const ins = await stack.client.execInspect(h.id);
    expect(ins).to.include({ ID: h.id, Running: false, ExitCode: 3 });
    expect(ins.Command).to.deep.equal(['sh', '-c', 'echo one; echo two >&2; echo three; exit 3']);
    expect(ins.Pid).to.be.greaterThan(0);
  });

  it('exit 0; env over the container\'s, workdir and user as asked', async () => {
    const h = await stack.client.exec('box', ['sh', '-c', 'echo $FROM_CTR $MINE; pwd; id -u; id -g'], { env: ['MINE=mine'], workdir: '/tmp', user: 'nobody' });
    const [out, code] = await Promise.all([all(h.stdout), h.exitCode]);
    expect(code).to.equal(0);
    const nobody = (await execa('grep', ['^nobody:', `${stack.rootfs}/etc/passwd`])).stdout.split(':');
    expect(out.split('\n')).to.deep.equal(['ctr mine', '/tmp', nobody[2], nobody[3], '']);
  });

  it('stdin: bytes in order to the process, end() is EOF', async () => {
    const h = await stack.client.exec('box', ['sh', '-c', 'cat; echo eof'], { stdin: true });
    expect(h.stdin).to.not.equal(null);
    h.stdin!.write('a\n');
    h.stdin!.end('b\n');
    const [out, code] = await Promise.all([all(h.stdout), h.exitCode]);
    expect(out).to.equal('a\nb\neof\n');
    expect(code).to.equal(0);
  });

  it('tty: a terminal of the caller\'s size; resize() changes it', async () => {
    // the new size is printed when the terminal says it changed (SIGWINCH): conmon takes stdin and
    // resizes through two channels, so the process's own signal is what tells the resize is done;
    // a WINCH of the initial size (it may land after the first stty under load) is passed over
    const script = 'trap \'s=$(stty size); [ "$s" = "30 100" ] || { echo "$s"; exit 0; }\' WINCH; stty size; while :; do sleep 0.05; done';
    const h = await stack.client.exec('box', ['sh', '-c', script], { tty: true, rows: 30, cols: 100, stdin: true });
    const it = h.stdout[Symbol.asyncIterator]();
    expect(String((await it.next()).value)).to.equal('30 100\r\n');
    await h.stdin!.resize(40, 120);
    let rest = '';
    for (let r = await it.next(); !r.done; r = await it.next()) rest += String(r.value);
    expect(rest).to.equal('40 120\r\n');
    expect(await h.exitCode).to.equal(0);
  });

  it('a missing command: 127 with runc\'s words; a file that cannot be run: 126', async () => {
    const missing = await stack.client.exec('box', ['nosuch']);
    const e1 = (await missing.exitCode.then(() => null, (e: BerthError) => e))!;
    expect(e1.code).to.equal('EOCI');
    expect(e1.message).to.match(/exec: "nosuch": executable file not found in \$PATH: OCI runtime attempted to invoke a command that was not found/);
    expect((await stack.client.execInspect(missing.id)).ExitCode).to.equal(127);
    const denied = await stack.client.exec('box', ['/etc/passwd']);
    const e2 = (await denied.exitCode.then(() => null, (e: BerthError) => e))!;
    expect(e2.message).to.match(/permission denied: OCI permission denied$/);
    expect((await stack.client.execInspect(denied.id)).ExitCode).to.equal(126);
  });

  it('an unknown user is refused with Podman\'s words; the container runs on', async () => {
    const h = await stack.client.exec('box', ['id'], { user: 'nosuchuser' });
    const e = (await h.exitCode.then(() => null, (x: BerthError) => x))!;
    expect(e.code).to.equal('EINVAL');
    expect(e.message).to.equal('unable to find user nosuchuser: no matching entries in passwd file');
    expect((await stack.client.inspect('box')).State.Status).to.equal('running');
  });

  it('a running session is in ExecIDs and in runc\'s process list; gone from both after its end', async () => {
    const h = await stack.client.exec('box', ['sh', '-c', 'echo up; exec sleep 1000']);
    const it = h.stdout[Symbol.asyncIterator]();
    expect(String((await it.next()).value)).to.equal('up\n');
    const during = await stack.client.inspect('box');
    expect(during.ExecIDs).to.deep.equal([h.id]);
    const ins = await stack.client.execInspect(h.id);
    expect(ins).to.include({ Running: true, ExitCode: null });
    const id = during.Id;
    const ps = JSON.parse((await execa(RUNC, ['--root', stack.root, 'ps', '--format', 'json', id])).stdout) as number[];
    expect(ps).to.include(ins.Pid);
    await execa('kill', ['-KILL', String(ins.Pid)]);
    expect(await h.exitCode).to.equal(137);
    await settled(stack.client, 'box', 'running');
    expect((await stack.client.inspect('box')).ExecIDs).to.deep.equal([]);
  });

  it('exec into a paused or a stopped container: ECTRSTATE naming the state', async () => {
    await stack.client.pause('box');
    const p = await stack.client.exec('box', ['true']);
    const e = (await p.exitCode.then(() => null, (x: BerthError) => x))!;
    expect(e.code).to.equal('ECTRSTATE');
    expect(e.message).to.match(/in state paused: can only create exec sessions on running containers: container state improper/);
    await stack.client.unpause('box');
    await stack.client.create({ name: 'done', rootfs: stack.rootfs, command: ['true'] });
    await stack.client.start('done');
    await stack.client.wait('done');
    const s = await stack.client.exec('done', ['true']);
    const e2 = (await s.exitCode.then(() => null, (x: BerthError) => x))!;
    expect(e2.code).to.equal('ECTRSTATE');
    expect(e2.message).to.match(/in state (stopped|exited)/);
  });

  it('an unknown session id: ENOCTR; a malformed one: EINVAL', async () => {
    const e = (await stack.client.execInspect('a'.repeat(64)).then(() => null, (x: BerthError) => x))!;
    expect(e.code).to.equal('ENOCTR');
    expect(e.message).to.equal(`no such exec session: ${'a'.repeat(64)}`);
    const bad = (await stack.client.execInspect('xyz').then(() => null, (x: BerthError) => x))!;
    expect(bad.code).to.equal('EINVAL');
  });
});
