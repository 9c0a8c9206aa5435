/**
 * `berth logs` as a process of its own, against a worker on real runc: a container's stdout bytes
 * on stdout and its stderr bytes on stderr, unchanged; -f until the container stops; -t, --tail,
 * --since, --until; several names as Podman prints them; bad input exits 125 with one line.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { BIN, ROOT, cliEnv } from './run-cli.js';
import { startStack, type Stack } from '../helpers/stack.js';

describe('cli: berth logs', function () {
  this.timeout(60_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack('cli-logs', { prefix: '{berth}' }); // the CLI's prefix, in a private Redis
  });
  after(async () => {
    await stack?.close();
  });

  /** `berth logs ARGS…` to completion, its output as bytes. */
  const logs = async (args: string[]) => {
    const r = await execa('node', [BIN, 'logs', '--redis', stack.redis.url, ...args], { cwd: ROOT, env: cliEnv(), extendEnv: false, reject: false, encoding: 'buffer', stripFinalNewline: false });
    return { code: r.exitCode, stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr) };
  };
  const text = async (args: string[]) => {
    const r = await logs(args);
    return { code: r.code, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  };
  const run = async (name: string, script: string) => {
    await stack.client.create({ name, rootfs: stack.rootfs, command: ['sh', '-c', script] });
    return stack.client.start(name);
  };

  it('writes stdout bytes to stdout and stderr bytes to stderr, unchanged', async () => {
    await run('raw', "printf 'a\\rb\\n'; head -c 70000 /dev/zero | tr '\\000' x; echo; printf '\\377\\376\\n'; echo err >&2; printf 'no newline'");
    await stack.client.wait('raw');
    const r = await logs(['raw']);
    expect(r.code).to.equal(0);
    const want = Buffer.concat([Buffer.from('a\rb\n'), Buffer.alloc(70_000, 'x'), Buffer.from('\n'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('no newline')]);
    expect(r.stdout.equals(want)).to.equal(true);
    expect(r.stderr.toString()).to.equal('err\n');
  });

  it('-t, --tail, --since and --until', async () => {
    await run('five', 'for i in 1 2 3 4 5; do echo line$i; sleep 0.01; done');
    await stack.client.wait('five');
    const stamped = await text(['-t', 'five']);
    const rows = stamped.stdout.trimEnd().split('\n');
    expect(rows).to.have.length(5);
    for (const row of rows) expect(row).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) line\d$/);
    const third = rows[2]!.split(' ')[0]!;
    expect((await text(['--tail', '2', 'five'])).stdout).to.equal('line4\nline5\n');
    expect((await text(['--tail=-1', 'five'])).stdout.split('\n')).to.have.length(6);
    expect((await text(['--since', third, 'five'])).stdout).to.equal('line3\nline4\nline5\n');
    expect((await text(['--until', third, 'five'])).stdout).to.equal('line1\nline2\nline3\n');
  });

  it('-f prints live output and ends when the container stops', async () => {
    await run('live', 'echo ready; trap "echo got usr1" USR1; trap "exit 0" TERM; while :; do sleep 0.05; done');
    const follow = execa('node', [BIN, 'logs', '-f', '--redis', stack.redis.url, 'live'], { cwd: ROOT, env: cliEnv(), extendEnv: false, reject: false, buffer: false });
    let out = '';
    const seen = (want: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (!out.includes(want)) return;
          follow.stdout!.off('data', onData);
          resolve();
        };
        const onData = (d: Buffer) => {
          out += d.toString();
          check();
        };
        follow.stdout!.on('data', onData);
        check();
      });
    await seen('ready\n');
    await stack.client.kill('live', { signal: 'SIGUSR1' });
    await seen('got usr1\n');
    await stack.client.stop('live');
    expect((await follow).exitCode).to.equal(0);
    expect(out).to.equal('ready\ngot usr1\n');
  });

  it('several names: each line prefixed with the short Id (-n: the name); an unknown one fails them all', async () => {
    await run('first', 'echo from-first');
    await run('second', 'echo from-second >&2');
    await Promise.all([stack.client.wait('first'), stack.client.wait('second')]);
    const ids = await Promise.all(['first', 'second'].map(async (n) => (await stack.client.inspect(n)).Id.slice(0, 12)));
    const both = await text(['first', 'second']);
    expect(both).to.deep.equal({ code: 0, stdout: `${ids[0]} from-first\n`, stderr: `${ids[1]} from-second\n` });
    expect((await text(['-n', 'first', 'second'])).stdout).to.equal('first from-first\n');
    const bad = await text(['first', 'nosuch']);
    expect(bad).to.deep.equal({ code: 125, stdout: '', stderr: 'Error: logs first nosuch: no such container nosuch\n' });
  });
});
