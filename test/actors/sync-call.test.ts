/**
 * The ociSync runtime call (actors/calls.ts): what it reads from the runtime for the machine's
 * guards, and how an interrupted one is settled. Over the FakeRuntime; no Redis.
 */
import { expect } from 'chai';
import { CALL_TABLE, settleCall } from '../../src/actors/calls.js';
import { FakeRuntime } from '../../src/oci/index.js';
import type { ContainerRecord } from '../../src/store/records.js';

const ID = 'c1';
const record = { id: ID, name: 'web' } as ContainerRecord;
const spec = (run: number) => ({ id: ID, rootfs: '/', command: ['sleep', '1'], env: [], workdir: '/', hostname: ID, stopSignal: 'SIGTERM', run });

async function read(fake: FakeRuntime, run: number) {
  const out = await CALL_TABLE.ociSync.run({ runtime: fake, record, input: { run }, signal: new AbortController().signal });
  expect(out.at, 'when it read').to.be.a('string');
  return out;
}

describe('actors/calls: ociSync', () => {
  let fake: FakeRuntime;
  beforeEach(async () => {
    fake = new FakeRuntime();
    await fake.create(spec(2));
    await fake.start(ID);
  });

  it('reports runc’s status and pid while it runs the process, and reads no exit', async () => {
    expect(await read(fake, 2)).to.deep.include({ pid: 1000, observed: { status: 'running', exit: null } });
    fake.containers.get(ID)!.status = 'paused'; // runc pause behind Berth's back
    expect((await read(fake, 2)).observed).to.deep.equal({ status: 'paused', exit: null });
    expect(fake.calls.map((c) => c.verb).filter((v) => v === 'readExit')).to.deep.equal([]);
  });

  it('once the process is gone: the exit recorded for this run', async () => {
    const exit = fake.exit(ID, 137);
    expect((await read(fake, 2)).observed).to.deep.equal({ status: 'stopped', exit: { code: 137, at: exit.at, oomKilled: false } });
    await fake.delete(ID);
    expect((await read(fake, 2)).observed, 'runc deleted it too').to.deep.equal({ status: 'absent', exit: { code: 137, at: exit.at, oomKilled: false } });
  });

  it('an exit recorded for another run says nothing of this one', async () => {
    fake.exit(ID, 137); // run 2's exit, read by a machine in run 3
    expect((await read(fake, 3)).observed).to.deep.equal({ status: 'stopped', exit: null });
  });

  it('no exit recorded: none known', async () => {
    await fake.delete(ID, { force: true });
    await fake.clearExit(ID);
    expect((await read(fake, 2)).observed).to.deep.equal({ status: 'absent', exit: null });
  });

  it('interrupted by a crash, it runs again: it only reads', () => {
    for (const observed of [null, { id: ID, status: 'running' as const, pid: 1 }, { id: ID, status: 'stopped' as const, pid: 0 }]) {
      expect(settleCall('ociSync', observed)).to.deep.equal({ kind: 'rerun' });
    }
  });
});
