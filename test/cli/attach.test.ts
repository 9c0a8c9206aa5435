/**
 * `berth run` (foreground and -d), `start -a` and `attach` as processes of their own, against a
 * worker on real runc: output streamed, the container's exit code passed through, --rm removes
 * (Redis and runc both), --sig-proxy forwards SIGTERM as a kill, Podman's 127 for a command not
 * found, and bad input exits 125 with one line, changing nothing.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { BerthError } from '../../src/errors.js';
import { BIN, ROOT, cliEnv, lines } from './run-cli.js';
import { startStack, type Stack } from '../helpers/stack.js';

describe('cli: run, start -a and attach', function () {
  this.timeout(60_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack('ca', { prefix: '{berth}' }); // the CLI's prefix, in a private Redis; a short name: conmon's attach socket path must fit sun_path
  });
  after(async () => {
    await stack?.close();
  });

  const spawn = (args: string[]) =>
    execa('node', [BIN, ...args], { cwd: ROOT, env: cliEnv({ BERTH_REDIS_URL: stack.redis.url }), extendEnv: false, reject: false, buffer: true });
  const berth = async (args: string[]) => {
    const r = await spawn(args);
    return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  const sh = (name: string, script: string, ...flags: string[]) => ['run', ...flags, '--name', name, '--rootfs', stack.rootfs, 'sh', '-c', script];

  it('run in the foreground: its stdout and stderr apart, then its exit code', async () => {
    const r = await berth(sh('fg', 'echo out; echo err >&2; exit 7'));
    expect(r).to.deep.equal({ code: 7, stdout: 'out', stderr: 'err' });
    expect((await stack.client.inspect('fg')).State.Status).to.be.oneOf(['stopped', 'exited']);
  });

  it('run --rm: exits with its code, and the container is gone from Redis and from runc', async () => {
    const before = await stack.runcList();
    const r = await berth(sh('temp', 'echo bye; exit 5', '--rm'));
    expect(r).to.deep.equal({ code: 5, stdout: 'bye', stderr: '' });
    const e = await stack.client.inspect('temp').catch((err: unknown) => err);
    expect(e).to.be.instanceOf(BerthError).and.include({ code: 'ENOCTR' });
    // nothing new in runc (an earlier test's stopped container may be cleaned up meanwhile)
    const after = await stack.runcList();
    expect(after.filter((id) => !before.includes(id))).to.deep.equal([]);
  });

  it('run -d prints the Id and leaves it running; -d with --rm is refused before anything is made', async () => {
    const r = await berth(sh('bg', 'sleep 1000', '-d'));
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^[0-9a-f]{64}$/);
    expect((await stack.runc(r.stdout))?.status).to.equal('running');
    const both = await berth(sh('never', 'true', '-d', '--rm'));
    expect(both.code).to.equal(125);
    expect(lines(both.stderr)).to.deep.equal(['Error: `--rm` needs the foreground run: Berth removes the container from `berth run --rm` without -d']);
    expect(await stack.client.inspect('never').catch((err: unknown) => (err as BerthError).code)).to.equal('ENOCTR');
    await stack.client.remove('bg', { force: true });
  });

  it('start -a: all of the run and its exit code; with two containers it is refused', async () => {
    await stack.client.create({ name: 'later', rootfs: stack.rootfs, command: ['sh', '-c', 'echo a; exit 3'] });
    expect(await berth(['start', '-a', 'later'])).to.deep.equal({ code: 3, stdout: 'a', stderr: '' });
    const two = await berth(['start', '-a', 'later', 'fg']);
    expect(two.code).to.equal(125);
    expect(lines(two.stderr)).to.deep.equal(['Error: start later fg: you cannot start and attach multiple containers at once']);
  });

  /** Starts `berth ARGS…` and resolves once its stdout has said `ready`. */
  const spawnReady = async (args: string[]) => {
    const child = spawn(args);
    let seen = '';
    for await (const chunk of child.stdout!.iterator({ destroyOnReturn: false })) {
      seen += String(chunk);
      if (seen.includes('ready\n')) break;
    }
    return { child }; // not the child itself: a subprocess is a promise, which an async function would await
  };
  const TRAP = 'trap "echo term; exit 143" TERM; echo ready; sleep 1000 & wait';

  it('--sig-proxy (the default): SIGTERM to berth reaches the container as a kill; berth exits with its code', async () => {
    const { child } = await spawnReady(sh('proxied', TRAP));
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode).to.equal(143);
    expect(String(r.stdout)).to.equal('ready\nterm');
    expect(await stack.client.wait('proxied')).to.equal(143);
  });

  it('--sig-proxy=false: SIGTERM ends berth only; the container runs on', async () => {
    const { child } = await spawnReady(sh('unproxied', TRAP, '--sig-proxy=false'));
    child.kill('SIGTERM');
    const r = await child;
    expect(r.signal).to.equal('SIGTERM');
    expect(String(r.stdout)).to.equal('ready');
    const id = (await stack.client.inspect('unproxied')).Id;
    expect((await stack.client.inspect(id)).State.Status).to.equal('running');
    expect((await stack.runc(id))?.status).to.equal('running');
    await stack.client.remove(id, { force: true });
  });

  it('attach: a configured container is refused with the seed\'s error (125), bad flags too, changing nothing', async () => {
    await stack.client.create({ name: 'cfg', rootfs: stack.rootfs, command: ['true'] });
    const r = await berth(['attach', 'cfg']);
    expect(r.code).to.equal(125);
    expect(lines(r.stderr)).to.deep.equal(['Error: cannot attach container cfg in state configured: container state improper']);
    const keys = await berth(['attach', '--detach-keys', 'ctrl-1', 'cfg']);
    expect(keys.code).to.equal(125);
    expect(keys.stderr).to.match(/^Error: attach cfg: invalid detach keys "ctrl-1": /);
    const proxy = await berth(['attach', '--sig-proxy=maybe', 'cfg']);
    expect(lines(proxy.stderr)).to.deep.equal(['Error: attach cfg: `--sig-proxy` is true or false (--sig-proxy=false), got "maybe"']);
    expect((await stack.client.inspect('cfg')).State.Status).to.equal('configured');
  });

  it('run -i: piped stdin reaches the container in order, and its EOF closes the container\'s stdin', async () => {
    const r = await execa('node', [BIN, ...sh('stdin', 'cat; echo done', '-i')], {
      cwd: ROOT,
      env: cliEnv({ BERTH_REDIS_URL: stack.redis.url }),
      extendEnv: false,
      reject: false,
      input: 'x\ny\n',
      timeout: 20_000,
    });
    expect({ code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) }).to.deep.equal({ code: 0, stdout: 'x\ny\ndone', stderr: '' });
    expect((await stack.client.inspect('stdin')).Config).to.include({ OpenStdin: true, Tty: false });
  });

  it("run of a command that is not there exits 127, as Podman's", async () => {
    const r = await berth(['run', '--name', 'missing', '--rootfs', stack.rootfs, 'no-such-command']);
    expect(r.code).to.equal(127);
    expect(lines(r.stderr)).to.have.length(1);
    expect(r.stderr).to.match(/executable "no-such-command" not found/);
  });
});
