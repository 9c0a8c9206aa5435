/**
 * `berth exec` as a process of its own, against a worker on real runc: output in order on stdout
 * and stderr, the process's exit code (0, 3; 126 and 127 as Podman, with its words), -e / --env-file
 * / -w / -u, -d printing the session id that `berth exec inspect` then shows, and 125 with one
 * line for a container that is not running or an unknown user.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { BIN, ROOT, cliEnv } from './run-cli.js';
import { startStack, type Stack } from '../helpers/stack.js';

describe('cli: berth exec', function () {
  this.timeout(60_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack('cli-exec', { prefix: '{berth}' });
    await stack.client.create({ name: 'box', rootfs: stack.rootfs, command: ['sleep', '1000'] });
    await stack.client.start('box');
  });
  after(async () => {
    await stack?.close();
  });

  const berth = async (args: string[], input?: string) => {
    const r = await execa('node', [BIN, ...args.slice(0, 1), '--redis', stack.redis.url, ...args.slice(1)], { cwd: ROOT, env: cliEnv(), extendEnv: false, reject: false, stripFinalNewline: false, ...(input === undefined ? {} : { input }) });
    return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
  };

  it('streams stdout and stderr and exits with the process\'s code', async () => {
    const r = await berth(['exec', 'box', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).to.deep.equal({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(await berth(['exec', 'box', 'true'])).to.deep.equal({ code: 0, stdout: '', stderr: '' });
  });

  it('-i forwards stdin; EOF reaches the process', async () => {
    const r = await berth(['exec', '-i', 'box', 'cat'], 'a\nb\n');
    expect(r).to.deep.equal({ code: 0, stdout: 'a\nb\n', stderr: '' });
    // wc prints its count only after EOF
    expect((await berth(['exec', '-i', 'box', 'wc', '-l'], 'x\ny\nz\n')).stdout.trim()).to.equal('3');
  });

  it('126 and 127 as Podman, with runc\'s words', async () => {
    const missing = await berth(['exec', 'box', 'nosuch']);
    expect(missing.code).to.equal(127);
    expect(missing.stderr).to.match(/^Error: .*exec: "nosuch": executable file not found in \$PATH: OCI runtime attempted to invoke a command that was not found\n$/);
    const denied = await berth(['exec', 'box', '/etc/passwd']);
    expect(denied.code).to.equal(126);
    expect(denied.stderr).to.match(/permission denied: OCI permission denied\n$/);
  });

  it('-e, --env-file, -w and -u', async () => {
    const file = join(tmpdir(), `berth-exec-env-${process.pid}`);
    writeFileSync(file, '# a comment\nFROM_FILE=f\n\nBOTH=file\n');
    const r = await berth(['exec', '--env-file', file, '-e', 'BOTH=flag', '-w', '/tmp', '-u', '65534:65534', 'box', 'sh', '-c', 'echo $FROM_FILE $BOTH; pwd; id -u; id -g']);
    expect(r).to.deep.equal({ code: 0, stdout: 'f flag\n/tmp\n65534\n65534\n', stderr: '' });
  });

  it('-d prints the session id; exec inspect shows it, and its exit code once it ends', async () => {
    const r = await berth(['exec', '-d', 'box', 'sh', '-c', 'exit 4']);
    expect(r.code).to.equal(0);
    const id = r.stdout.trim();
    expect(id).to.match(/^[0-9a-f]{64}$/);
    const box = await stack.client.inspect('box');
    // the session's end is a commit of the container: wait for the one that leaves it out
    const { cursor } = await stack.client.store.readWithCursor(box.Id);
    if ((await stack.client.execInspect(id)).Running) await stack.client.eventFeed().waitFor(cursor, (e) => e.id === box.Id && !(e.state['ExecIDs'] as string[]).includes(id));
    const ins = await berth(['exec', 'inspect', id]);
    expect(ins.code).to.equal(0);
    const [session] = JSON.parse(ins.stdout) as Array<{ ID: string; Running: boolean; ExitCode: number; Command: string[] }>;
    expect(session).to.include({ ID: id, Running: false, ExitCode: 4 });
    expect(session!.Command).to.deep.equal(['sh', '-c', 'exit 4']);
  });

  it('125 with one line: a container that is not running, an unknown user, an unknown session', async () => {
    await stack.client.create({ name: 'idle', rootfs: stack.rootfs, command: ['true'] });
    const notRunning = await berth(['exec', 'idle', 'true']);
    expect(notRunning.code).to.equal(125);
    expect(notRunning.stderr).to.match(/^Error: .*in state configured: can only create exec sessions on running containers: container state improper\n$/);
    const user = await berth(['exec', '-u', 'nosuchuser', 'box', 'id']);
    expect(user).to.deep.equal({ code: 125, stdout: '', stderr: 'Error: exec box: unable to find user nosuchuser: no matching entries in passwd file\n' });
    const unknown = await berth(['exec', 'inspect', 'b'.repeat(64)]);
    expect(unknown.code).to.equal(125);
    expect(unknown.stderr).to.equal(`Error: exec inspect: no such exec session: ${'b'.repeat(64)}\n`);
  });
});
