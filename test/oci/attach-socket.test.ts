/**
 * A process's stdin through the real conmon (2.1.6) and runc: the attach socket takes bytes and
 * gives EOF when closed; the ctl fifo resizes a terminal. The container is made as conmonCreate
 * makes it, with conmon's -i (and -t), the flags containers made with -i/-t get.
 */
import { mkdir, open, writeFile } from 'node:fs/promises';
import { expect } from 'chai';
import { execa } from 'execa';
import { buildConfig, readHardLimits } from '../../src/oci/bundle.js';
import { conmonArgs, firstLine } from '../../src/oci/conmon.js';
import { AttachConnection, resizeTerminal } from '../../src/oci/attach-socket.js';
import { StateLayout } from '../../src/oci/layout.js';
import { CONMON, makeSandbox, readLog, RUNC, type Sandbox } from './support.js';

describe('oci/attach-socket: stdin through conmon, for real', function () {
  this.timeout(20_000);
  let sb: Sandbox;
  let layout: StateLayout;

  before(async () => {
    sb = await makeSandbox('attach');
    layout = new StateLayout(sb.stateDir);
  });
  after(async () => sb?.cleanup());

  /** Creates and starts container `id` running `command` under conmon with -i (and -t). */
  async function startWithStdin(id: string, command: string[], tty: boolean): Promise<void> {
    const spec = sb.spec(id, command, { seccomp: 'unconfined' });
    const config = buildConfig(spec, { hardLimits: await readHardLimits(), seccompProfile: undefined, arch: 'SCMP_ARCH_X86_64' }) as { process: { terminal: boolean } };
    config.process.terminal = tty;
    await Promise.all([mkdir(layout.bundle(id), { recursive: true }), mkdir(layout.exits, { recursive: true }), mkdir(layout.logs, { recursive: true }), mkdir(layout.persist(id, 1), { recursive: true })]);
    await writeFile(layout.config(id), JSON.stringify(config));
    const sync = await open(layout.sync(id), 'w');
    const line = firstLine(layout.sync(id), 10_000);
    await execa(CONMON, [...conmonArgs({ runtime: RUNC, root: sb.root, id, run: 1, layout }), '-i', ...(tty ? ['-t'] : [])], {
      stdio: ['ignore', 'ignore', 'ignore', sync.fd as 3],
      env: { _OCI_SYNCPIPE: '3' },
    }).finally(() => sync.close());
    expect(JSON.parse(await line.line).data).to.be.above(0);
    await sb.runtime.start(id);
  }

  const exitOf = async (id: string) => (await sb.runtime.readExit(id, { waitMs: 5000 }))?.code;

  it('passes bytes to the process and closes its stdin when the connection closes', async () => {
    await startWithStdin('cat1', ['sh', '-c', 'cat; echo done'], false);
    const conn = await AttachConnection.connect(layout.attachSocket('cat1'));
    await conn.write(Buffer.from('hello\nworld\n'));
    conn.close();
    // cat reads EOF, the shell goes on and exits
    expect(await exitOf('cat1')).to.equal(0);
    expect((await readLog(layout.log('cat1'))).map((l) => l.text)).to.deep.equal(['hello', 'world', 'done']);
    expect((await sb.runtime.state('cat1'))?.status).to.equal('stopped');
  });

  it("resizes a terminal through the ctl fifo, as the process's stty sees it", async () => {
    await startWithStdin('tty1', ['sh', '-c', 'read go; stty size'], true);
    await resizeTerminal(layout.ctlFifo('tty1'), 33, 111);
    const conn = await AttachConnection.connect(layout.attachSocket('tty1'));
    await conn.write(Buffer.from('go\r'));
    expect(await exitOf('tty1')).to.equal(0);
    conn.close();
    const text = (await readLog(layout.log('tty1'))).map((l) => l.text).join('\n');
    expect(text).to.contain('33 111');
  });

  it('cannot connect once the process is gone: a clear error', async () => {
    const err = await AttachConnection.connect(layout.attachSocket('never-made')).catch((e: unknown) => e as Error);
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.match(/cannot connect to the attach socket .*never-made/);
  });
});
