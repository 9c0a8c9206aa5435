/**
 * `berth run -it … sh` in a real terminal (tmux), against a worker on real runc: the CLI's
 * terminal goes raw and the shell runs in the container's own pseudo-terminal, at the pane's
 * size; what is typed reaches it and what it prints comes back; `exit 5` makes the CLI exit 5;
 * ctrl-p ctrl-q detaches (the CLI exits 0) and the container runs on.
 */
import { expect } from 'chai';
import { BIN, cliEnv } from '../cli/run-cli.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { TmuxPane } from '../helpers/tmux.js';

describe('e2e: berth run -it in a terminal (tmux)', function () {
  this.timeout(60_000);
  let stack: Stack;
  let pane: TmuxPane | undefined;

  before(async () => {
    stack = await startStack('tt', { prefix: '{berth}' }); // the CLI's prefix; a short name for conmon's socket paths
  });
  afterEach(async () => {
    await pane?.close();
    pane = undefined;
  });
  after(async () => {
    await stack?.close();
  });

  const runIt = async (name: string) => {
    const env = { ...cliEnv({ BERTH_REDIS_URL: stack.redis.url }), TERM: 'xterm' };
    pane = await TmuxPane.start(['node', BIN, 'run', '-it', '--name', name, '--rootfs', stack.rootfs, 'sh'], env, 120, 30);
    await pane.printed('/ # '); // the shell's prompt, from the container's terminal
    return pane;
  };

  it('a shell: typed commands run, their output shows, the window size is the pane\'s, exit 5 exits 5', async () => {
    const p = await runIt('shell');
    const id = (await stack.client.inspect('shell')).Id;
    expect((await stack.client.inspect(id)).Config).to.include({ Tty: true, OpenStdin: true });
    await p.keys(['echo hi$((1+1))'], true);
    await p.keys(['Enter']);
    await p.printed('hi2');
    expect(await p.screen()).to.include('hi2');
    await p.keys(['stty size'], true);
    await p.keys(['Enter']);
    await p.printed('30 120');
    await p.keys(['exit 5'], true);
    await p.keys(['Enter']);
    expect(await p.exitStatus()).to.equal(5);
    expect(await stack.client.wait(id)).to.equal(5);
    expect((await stack.runc(id))?.status ?? 'gone').to.not.equal('running');
  });

  it('ctrl-p ctrl-q detaches: the CLI exits 0 and the container runs on, its shell still there', async () => {
    const p = await runIt('stays');
    const id = (await stack.client.inspect('stays')).Id;
    await p.keys(['C-p', 'C-q']);
    expect(await p.exitStatus()).to.equal(0);
    expect((await stack.client.inspect(id)).State.Status).to.equal('running');
    expect((await stack.runc(id))?.status).to.equal('running');
    // the shell did not get the keys nor an EOF: it still reads its stdin
    const again = await stack.client.attach(id);
    const out: Buffer[] = [];
    again.stdout.on('data', (c: Buffer) => out.push(c));
    again.stdin!.write(Buffer.from('echo still$((2+1))\n'));
    await new Promise<void>((resolve) => again.stdout.on('data', () => Buffer.concat(out).includes('still3') && resolve()));
    again.detach();
    await stack.client.remove(id, { force: true });
  });
});
