/** FakeRuntime: runc's transitions and refusals in memory, exits reported through its monitor. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FakeRuntime, type RuntimeSpec } from '../../src/oci/index.js';
import { ExitCollector, readLog, rejection } from './support.js';

const spec = (id: string): RuntimeSpec => ({ id, rootfs: '/r', command: ['sleep', '1'], env: [], workdir: '/', hostname: id, stopSignal: 'SIGTERM', run: 1 });

describe('oci/fake: FakeRuntime', () => {
  it('follows runc: created -> running -> paused -> running -> stopped, then delete', async () => {
    const fake = new FakeRuntime();
    const exits = await new ExitCollector(fake.monitor).start();
    const { pid } = await fake.create(spec('a'));
    expect(await fake.state('a')).to.deep.equal({ id: 'a', status: 'created', pid });
    await fake.start('a');
    await fake.pause('a');
    expect((await fake.state('a'))?.status).to.equal('paused');
    await fake.resume('a');
    const exited = exits.next('a');
    fake.exit('a', 7);
    expect(await exited).to.include({ id: 'a', code: 7, oomKilled: false });
    expect(await fake.state('a')).to.deep.equal({ id: 'a', status: 'stopped', pid: 0 });
    expect((await fake.readExit('a'))?.code).to.equal(7);
    await fake.delete('a');
    expect(await fake.state('a')).to.equal(null);
    expect(fake.calls.map((c) => c.verb)).to.deep.equal(['create', 'state', 'start', 'pause', 'state', 'resume', 'state', 'readExit', 'delete', 'state']);
    await exits.close();
  });

  it('refuses what runc refuses, with runc\'s words', async () => {
    const fake = new FakeRuntime();
    await fake.create(spec('b'));
    expect((await rejection(fake.create(spec('b')), 'EOCI')).message).to.equal('runc create failed: container with id exists: b');
    expect((await rejection(fake.pause('b'), 'EOCI')).message).to.equal('runc pause failed: container not running');
    await fake.start('b');
    expect((await rejection(fake.start('b'), 'EOCI')).message).to.equal('runc start failed: cannot start a container in the running state');
    expect((await rejection(fake.delete('b'), 'EOCI')).message).to.equal('runc delete failed: cannot delete container b that is not stopped: running');
    expect((await rejection(fake.kill('b', 'NOPE'), 'EINVAL')).message).to.equal('unknown signal "NOPE"');
    expect((await rejection(fake.kill('zz', 'TERM'), 'EOCI')).message).to.equal('runc kill failed: container does not exist');
    await fake.delete('zz');
    expect((await rejection(fake.checkpoint('b'), 'EUNSUPPORTED')).message).to.contain('CRIU');
  });

  it('exits on SIGKILL with 137, ignores TERM like a PID 1 without a handler, delivers on resume', async () => {
    const fake = new FakeRuntime();
    const exits = await new ExitCollector(fake.monitor).start();
    await fake.create(spec('c'));
    await fake.start('c');
    await fake.kill('c', 'TERM');
    expect((await fake.state('c'))?.status).to.equal('running');
    await fake.pause('c');
    await fake.kill('c', '9');
    expect((await fake.state('c'))?.status).to.equal('paused');
    const exited = exits.next('c');
    await fake.resume('c');
    expect((await exited).code).to.equal(137);
    expect(fake.containers.get('c')?.signals).to.deep.equal(['SIGTERM', 'SIGKILL']);
    await exits.close();
  });

  it('reports exits recorded before its monitor started, and injected failures once', async () => {
    const fake = new FakeRuntime({ signalExits: { SIGTERM: 143 } });
    await fake.create(spec('d'));
    await fake.start('d');
    await fake.kill('d', 'SIGTERM');
    const exits = await new ExitCollector(fake.monitor).start();
    expect((await exits.next('d')).code).to.equal(143);
    await exits.close();
    fake.failNext('start', 'runc start failed: boom');
    await fake.create(spec('e'));
    expect((await rejection(fake.start('e'), 'EOCI')).message).to.equal('runc start failed: boom');
    await fake.start('e');
  });

  it('writes k8s-file records to `logDir` as conmon would, and refuses to without one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-fake-logs-'));
    try {
      const fake = new FakeRuntime({ logDir: dir });
      fake.writeRecord('e', 'stdout', 'hi', { partial: true });
      fake.writeRecord('e', 'stderr', Buffer.from([0xff]));
      const lines = await readLog(fake.logFiles!.path('e'));
      expect(lines.map((l) => [l.stream, l.partial])).to.deep.equal([['stdout', true], ['stderr', false]]);
      expect(fake.logFiles!.idOf('e.log')).to.equal('e');
      expect(() => new FakeRuntime().writeRecord('e', 'stdout', 'x')).to.throw('the fake runtime was made without `logDir`');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
