/**
 * ExitDirMonitor on a plain directory, writing exit files the way conmon does (a temporary
 * `<id>.XXXXXX` renamed into place). Every wait is on the monitor's callback.
 */
import { mkdir, mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ExitDirMonitor, type ExitRecord } from '../../src/oci/index.js';
import { ExitCollector } from './support.js';

/** What g_file_set_contents does: write a temporary sibling, then rename it over the target. */
async function conmonWrite(dir: string, id: string, code: number): Promise<void> {
  const tmp = join(dir, `${id}.Ab3xY9`);
  await writeFile(tmp, String(code));
  await rename(tmp, join(dir, id));
}

describe('oci/exit-monitor: ExitDirMonitor', () => {
  let state: string;
  let exitDir: string;
  let collector: ExitCollector | undefined;

  beforeEach(async () => {
    state = await mkdtemp(join(tmpdir(), 'berth-oci-monitor-'));
    exitDir = join(state, 'exits');
    await mkdir(exitDir);
  });
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
    await rm(state, { recursive: true, force: true });
  });

  it('reports files already present at start, then new ones, once each', async () => {
    await conmonWrite(exitDir, 'before', 3);
    const seen: ExitRecord[] = [];
    const monitor = new ExitDirMonitor(exitDir);
    collector = await new ExitCollector({
      start: (onExit) => monitor.start((e) => (seen.push(e), onExit(e))),
      close: () => monitor.close(),
    }).start();
    expect((await collector.next('before')).code).to.equal(3);
    await conmonWrite(exitDir, 'after', 42);
    const after = await collector.next('after');
    expect(after).to.include({ id: 'after', code: 42, oomKilled: false });
    // a marker written after both: once it is reported, earlier duplicate events have been handled
    await conmonWrite(exitDir, 'marker', 0);
    await collector.next('marker');
    expect(seen.map((e) => e.id)).to.deep.equal(['before', 'after', 'marker']);
  });

  it('finds an exit inotify did not report on its next rescan', async () => {
    const monitor = new ExitDirMonitor(exitDir, { rescanMs: 50 });
    collector = await new ExitCollector(monitor).start();
    // as if the watch had failed or its queue overflowed: no event for what comes next
    (monitor as unknown as { watcher: { close(): void } }).watcher.close();
    await conmonWrite(exitDir, 'missed', 9);
    expect((await collector.next('missed')).code).to.equal(9);
  });

  it('reports a new exit of the same container after the old file was cleared', async () => {
    collector = await new ExitCollector(new ExitDirMonitor(exitDir)).start();
    await conmonWrite(exitDir, 'again', 1);
    expect((await collector.next('again')).code).to.equal(1);
    await unlink(join(exitDir, 'again'));
    await conmonWrite(exitDir, 'again', 2);
    expect((await collector.next('again')).code).to.equal(2);
  });

  it('ignores temporary names and reads the oom marker from the bundle', async () => {
    collector = await new ExitCollector(new ExitDirMonitor(exitDir)).start();
    await writeFile(join(exitDir, 'tmp.Zz9k2Q'), '5');
    await mkdir(join(state, 'bundles', 'oom1', 'persist'), { recursive: true });
    await writeFile(join(state, 'bundles', 'oom1', 'persist', 'oom'), '');
    await conmonWrite(exitDir, 'oom1', 137);
    expect(await collector.next('oom1')).to.include({ code: 137, oomKilled: true });
    expect(collector.pending()).to.deep.equal([]);
  });

  it('creates a missing exit dir, and reports nothing after close', async () => {
    await rm(exitDir, { recursive: true });
    const monitor = new ExitDirMonitor(exitDir);
    const seen: string[] = [];
    await monitor.start((e) => seen.push(e.id));
    await monitor.close();
    await conmonWrite(exitDir, 'late', 9);
    collector = await new ExitCollector(new ExitDirMonitor(exitDir)).start();
    await collector.next('late');
    expect(seen).to.deep.equal([]);
  });
});
