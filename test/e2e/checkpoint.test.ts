/**
 * checkpoint and restore end to end on real runc, through the queue. On a host where `criu check`
 * fails (this one: CRIU 3.17 cannot read the kernel's vDSO) both are refused with exit 125 and
 * criu's first error line, and change nothing. The state rules are checked on a second node
 * whose runtime takes CRIU to work (the refusal comes first otherwise). The happy path runs only
 * where `criu check` passes and is reported skipped, with criu's reason, elsewhere.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { main } from '../../src/cli/main.js';
import { BerthError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { criuSupport, NO_CHECKPOINT } from '../../src/oci/criu.js';
import { ExitDirMonitor, RuncRuntime } from '../../src/oci/index.js';
import { BerthWorker } from '../../src/queue/worker.js';
import { deleteRuncContainers, RUNC, settled, startStack, type Stack } from '../helpers/stack.js';

/** runc, with CRIU taken to work: the machine's state rules are reached. */
class CriuTakenToWork extends RuncRuntime {
  override checkpointSupport = async (): Promise<string | null> => null;
}

async function rejection(p: Promise<unknown>): Promise<BerthError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof BerthError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('e2e: checkpoint and restore', function () {
  this.timeout(60_000);
  let s: Stack;
  let criu: string | null;
  let b: BerthWorker | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'berth-ckpt-b-'));
  const B = 'node-ckpt-b';
  before(async () => {
    // the CLI addresses the default prefix
    s = await startStack('ckpt', { prefix: '{berth}' });
    criu = await criuSupport();
    b = await BerthWorker.start({
      redis: s.redis.url,
      prefix: s.prefix,
      node: B,
      rootfsRoots: [s.rootfs],
      runtime: new CriuTakenToWork({ runtime: RUNC, root: join(dir, 'runc'), stateDir: join(dir, 'state') }),
      monitor: new ExitDirMonitor(join(dir, 'state', 'exits')),
      log: createLogger({ level: 'silent', node: B, pretty: false }),
    });
  });
  after(async () => {
    await b?.close();
    await deleteRuncContainers(join(dir, 'runc'));
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What may change: the status, the snapshot's version, the history's length. */
  const footprint = async (name: string) => {
    const i = await s.client.inspect(name);
    return { status: i.State.Status, version: i.Version, history: (await s.client.history(name)).length, error: i.State.Error };
  };

  async function cli(...args: string[]): Promise<{ code: number; err: string[]; out: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l), write: async () => {} };
    const code = await main(['node', 'berth', ...args], io, { BERTH_REDIS_URL: s.redis.url, BERTH_STATE_DIR: dir });
    return { code, err, out };
  }

  it('where criu check fails, checkpoint and restore exit 125 with its first error line and change nothing', async function () {
    if (criu === null) {
      this.test!.title += ' — skipped: criu check passes on this host';
      this.skip();
    }
    const web = await s.client.create({ name: 'web', rootfs: s.rootfs, command: ['sleep', '1000'], node: s.node });
    await s.client.start('web');
    const before = await footprint('web');
    const r = await cli('checkpoint', '--leave-running', 'web');
    expect(r.code).to.equal(125);
    expect(r.err).to.deep.equal([`Error: checkpoint is not supported on this host: ${criu}`]);
    const api = await rejection(s.client.checkpoint('web', { export: join(dir, 'web.tar') }));
    expect(api.code).to.equal('EUNSUPPORTED');
    expect(api.message).to.equal(`checkpoint is not supported on this host: ${criu}`);
    expect(await footprint('web')).to.deep.equal(before);
    expect((await s.runc(web.Id))?.status, 'runc still runs it').to.equal('running');
    // restore is refused the same way, before its state rule or its checkpoint is looked at
    await s.client.create({ name: 'done', rootfs: s.rootfs, command: ['true'], node: s.node });
    await s.client.start('done');
    await settled(s.client, 'done', 'exited');
    const exited = await footprint('done');
    const rr = await cli('restore', 'done');
    expect(rr.code).to.equal(125);
    expect(rr.err).to.deep.equal([`Error: checkpoint is not supported on this host: ${criu}`]);
    expect(await footprint('done')).to.deep.equal(exited);
  });

  it("the seed's state rules: checkpoint only a running container, restore only a configured or exited one; a missing checkpoint is a clear error", async () => {
    const idle = await s.client.create({ name: 'b-idle', rootfs: s.rootfs, command: ['sleep', '1000'], node: B });
    await s.client.create({ name: 'b-run', rootfs: s.rootfs, command: ['sleep', '1000'], node: B });
    await s.client.start('b-run');
    const [idleBefore, runBefore] = [await footprint('b-idle'), await footprint('b-run')];
    const c = await rejection(s.client.checkpoint('b-idle'));
    expect([c.code, c.message]).to.deep.equal(['ECTRSTATE', 'cannot checkpoint container b-idle in state configured: container state improper']);
    const r = await rejection(s.client.restore('b-run'));
    expect([r.code, r.message]).to.deep.equal(['ECTRSTATE', 'cannot restore container b-run in state running: container state improper']);
    expect(await footprint('b-run')).to.deep.equal(runBefore);
    // configured, but nothing was ever checkpointed
    const m = await rejection(s.client.restore('b-idle'));
    expect(m.message).to.equal(NO_CHECKPOINT);
    const after = await s.client.inspect('b-idle');
    expect([after.State.Status, after.State.Activity, after.State.Checkpointed]).to.deep.equal(['configured', '', false]);
    expect(after.State.Error).to.equal(NO_CHECKPOINT);
    expect(await s.runc(idle.Id)).to.equal(null);
    expect(idleBefore.status).to.equal('configured');
  });

  it('a corrupt --import archive, or one without a checkpoint, is a clear error and nothing is queued', async () => {
    await s.client.create({ name: 'b-done', rootfs: s.rootfs, command: ['true'], node: B });
    await s.client.start('b-done');
    await settled(s.client, 'b-done', 'exited');
    const before = await footprint('b-done');
    const corrupt = join(dir, 'corrupt.tar');
    writeFileSync(corrupt, 'this is not a tar archive\n'.repeat(40));
    const e1 = await rejection(s.client.restore('b-done', { import: corrupt }));
    expect(e1.code).to.equal('EINVAL');
    expect(e1.message).to.match(new RegExp(`^cannot import checkpoint archive ${corrupt}: not a readable tar archive: tar: `));
    writeFileSync(join(dir, 'readme'), 'no checkpoint here\n');
    const empty = join(dir, 'empty.tar');
    await execa('tar', ['-c', '-f', empty, '-C', dir, 'readme']);
    const e2 = await rejection(s.client.restore('b-done', { import: empty }));
    expect(e2.message).to.equal(`cannot import checkpoint archive ${empty}: it holds no checkpoint (no checkpoint/inventory.img)`);
    const e3 = await rejection(s.client.restore('b-done', { import: 'relative.tar' }));
    expect(e3.message).to.equal('--import must be an absolute path, got "relative.tar"');
    const cliRun = await cli('restore', '--import', corrupt, 'b-done');
    expect(cliRun.code).to.equal(125);
    expect(cliRun.err[0]).to.match(/^Error: restore b-done: cannot import checkpoint archive .*: not a readable tar archive: /);
    expect(await footprint('b-done')).to.deep.equal(before);
  });

  it('restore --import runs runc restore under conmon (--restore) from the archive; its failure is runc\'s words, the container stays exited', async () => {
    await s.client.create({ name: 'b-bogus', rootfs: s.rootfs, command: ['sleep', '1000'], node: B });
    await s.client.start('b-bogus');
    await s.client.stop('b-bogus', { timeout: 0 });
    const before = await s.client.inspect('b-bogus');
    const historyBefore = (await s.client.history('b-bogus')).map((h) => h.to);
    // a tar that passes the client's check but holds no real CRIU images
    const src = join(dir, 'bogus');
    await execa('mkdir', ['-p', join(src, 'checkpoint')]);
    writeFileSync(join(src, 'checkpoint', 'inventory.img'), 'not an image');
    const archive = join(dir, 'bogus.tar');
    await execa('tar', ['-c', '-f', archive, '-C', src, 'checkpoint']);
    const e = await rejection(s.client.restore('b-bogus', { import: archive }));
    // runc restore read the imported dir (CRIU's descriptors.json, which a real checkpoint has)
    expect(e.message).to.match(/^runc restore failed: .*checkpoint\/descriptors\.json: no such file or directory$/);
    const after = await s.client.inspect('b-bogus');
    expect([after.State.Status, after.State.Activity, after.State.Restored, after.State.Pid]).to.deep.equal(['exited', '', false, 0]);
    expect(after.State.Error).to.equal(e.message);
    expect(after.State.ExitCode).to.equal(before.State.ExitCode);
    expect((await s.client.history('b-bogus')).map((h) => h.to), 'no change of status recorded').to.deep.equal(historyBefore);
  });

  it('checkpoint, export, restore and import on real CRIU', async function () {
    if (criu !== null) {
      this.test!.title += ` — skipped: criu check fails on this host: ${criu}`;
      this.skip();
    }
    const c = await s.client.create({ name: 'cr', rootfs: s.rootfs, command: ['sleep', '1000'], node: s.node });
    await s.client.start('cr');
    const archive = join(dir, 'cr.tar');
    const done = await s.client.checkpoint('cr', { export: archive });
    expect([done.State.Status, done.State.Checkpointed]).to.deep.equal(['exited', true]);
    expect(await s.runc(c.Id)).to.equal(null);
    const back = await s.client.restore('cr', { keep: true });
    expect([back.State.Status, back.State.Restored, back.State.Checkpointed]).to.deep.equal(['running', true, false]);
    expect((await s.runc(c.Id))?.status).to.equal('running');
    const kept = await s.client.checkpoint('cr', { leaveRunning: true });
    expect([kept.State.Status, kept.State.Checkpointed]).to.deep.equal(['running', true]);
    await s.client.stop('cr', { timeout: 0 });
    const imported = await s.client.restore('cr', { import: archive });
    expect(imported.State.Status).to.equal('running');
    expect((await s.runc(c.Id))?.status).to.equal('running');
    // the restored process is under conmon: its exit is recorded as any other
    await s.client.kill('cr');
    await settled(s.client, 'cr', 'exited');
    expect((await s.client.inspect('cr')).State.ExitCode).to.equal(137);
  });
});
