/**
 * `berth exec -it` in a real terminal, under tmux (a private server): the process gets a terminal
 * of the pane's size, what is typed reaches it, its output is on the screen, berth exits with its
 * code, and the terminal is back in cooked mode after. The test waits on tmux's wait-for channel,
 * which the pane's shell signals when berth has exited.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { BIN, FROM_SOURCE, ROOT } from './run-cli.js';
import { startStack, type Stack } from '../helpers/stack.js';

describe('cli: berth exec -it under tmux', function () {
  this.timeout(60_000);
  let stack: Stack;
  let dir: string;
  const server = `berth-exec-${process.pid}`;
  const tmux = (...args: string[]) => execa('tmux', ['-L', server, ...args]);

  before(async () => {
    stack = await startStack('cli-exec-tty', { prefix: '{berth}' });
    await stack.client.create({ name: 'box', rootfs: stack.rootfs, command: ['sleep', '1000'] });
    await stack.client.start('box');
    dir = mkdtempSync(join(tmpdir(), 'berth-exec-tty-'));
  });
  after(async () => {
    await tmux('kill-server').catch(() => undefined);
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a terminal of the pane\'s size, keys in, output on screen, its exit code, the terminal restored', async () => {
    const rc = join(dir, 'rc');
    const mode = join(dir, 'mode');
    const berth = `BERTH_FROM_SOURCE=${FROM_SOURCE} BERTH_LOG_LEVEL=silent node ${BIN} exec --redis ${stack.redis.url} -it box sh -c 'stty size; read line; echo got:$line; exit 3'`;
    // the pane's shell: berth, then its exit code and the terminal's mode, then the signal
    const script = `cd ${ROOT}; ${berth}; echo $? > ${rc}; stty -a > ${mode}; tmux -L ${server} wait-for -S done; sleep 100`;
    await tmux('new-session', '-d', '-x', '100', '-y', '30', 'sh', '-c', script);
    await tmux('set-option', '-g', 'status', 'off');
    await tmux('send-keys', 'hello', 'Enter');
    await tmux('wait-for', 'done');
    const screen = (await tmux('capture-pane', '-p')).stdout;
    expect(screen).to.match(/^\d+ 100$/m);
    expect(screen).to.include('got:hello');
    expect(readFileSync(rc, 'utf8').trim()).to.equal('3');
    const stty = readFileSync(mode, 'utf8');
    expect(stty).to.match(/(^|\s)icanon(\s|$)/);
    expect(stty).to.match(/(^|\s)echo(\s|$)/);
  });
});
