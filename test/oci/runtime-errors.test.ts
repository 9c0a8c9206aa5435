/** What the adapter says when the host cannot run containers: missing binaries, bad options, crun. */
import { access } from 'node:fs/promises';
import { expect } from 'chai';
import { MissingRuntime, RuncRuntime, validateRuncOptions } from '../../src/oci/index.js';
import { makeSandbox, rejection, type Sandbox } from './support.js';

const CRUN = '/usr/bin/crun';

describe('oci/runtime-errors: missing binaries, bad options, crun', () => {
  let s: Sandbox;

  before(async () => {
    s = await makeSandbox('errors');
  });
  after(async () => {
    await s?.cleanup();
  });

  it('fails with ENORUNTIME naming a missing runtime, on every verb, and writes nothing', async () => {
    const r = s.runtimeWith({ runtime: '/nonexistent/runc' });
    const e = await rejection(r.create(s.spec('x1', ['true'])), 'ENORUNTIME');
    expect(e.message).to.equal('OCI runtime /nonexistent/runc is missing or not executable');
    expect((await rejection(r.state('x1'), 'ENORUNTIME')).message).to.contain('/nonexistent/runc');
    expect((await rejection(r.list(), 'ENORUNTIME')).message).to.contain('/nonexistent/runc');
    expect(await access(r.layout.bundle('x1')).then(() => true, () => false)).to.equal(false);
  });

  it('fails with ENORUNTIME naming a missing conmon', async () => {
    const r = s.runtimeWith({ conmon: '/nonexistent/conmon' });
    const e = await rejection(r.create(s.spec('x2', ['true'])), 'ENORUNTIME');
    expect(e.message).to.equal('conmon /nonexistent/conmon is missing or not executable');
  });

  it('gives up with ETIMEOUT when conmon reports nothing on the sync fd', async () => {
    const r = s.runtimeWith({ conmon: '/bin/true', createTimeoutMs: 300 });
    const e = await rejection(r.create(s.spec('x3', ['true'])), 'ETIMEOUT');
    expect(e.message).to.equal(`container x3: conmon wrote no sync message to ${r.layout.sync('x3')} within 300 ms`);
  });

  it('stops a create whose signal is aborted', async () => {
    const e = await rejection(s.runtime.create(s.spec('x4', ['true']), { signal: AbortSignal.abort() }), 'EINTERNAL');
    expect(e.message).to.equal('create of container x4 was cancelled');
  });

  it('looks a bare runtime name up on PATH', async () => {
    const r = s.runtimeWith({ runtime: 'runc' });
    expect(await r.state('nothing')).to.equal(null);
    const e = await rejection(s.runtimeWith({ runtime: 'no-such-runtime' }).list(), 'ENORUNTIME');
    expect(e.message).to.match(/^OCI runtime "no-such-runtime" was not found on PATH/);
  });

  it('validates options, naming the option in backticks', () => {
    const base = { root: '/r', stateDir: '/s' };
    expect(validateRuncOptions(base)).to.include({ runtime: '/usr/sbin/runc', conmon: '/usr/bin/conmon', createTimeoutMs: 30_000 });
    expect(() => new RuncRuntime({ ...base, root: 'relative' })).to.throw('`root` must be an absolute path, got "relative" (string)');
    expect(() => new RuncRuntime({ ...base, runtime: './runc' })).to.throw('`runtime` must be an absolute path or a bare command name, got "./runc" (string)');
    expect(() => new RuncRuntime({ ...base, createTimeoutMs: 0 })).to.throw('`createTimeoutMs` must be a positive integer (milliseconds), got 0 (number)');
  });

  it('MissingRuntime fails every method with ENORUNTIME naming the binary', async () => {
    const m = new MissingRuntime('/usr/sbin/runc');
    expect(m.name).to.equal('runc');
    const e = await rejection(m.create(), 'ENORUNTIME');
    expect(e.message).to.equal('OCI runtime /usr/sbin/runc is missing or not executable: cannot create');
    for (const call of [m.start(), m.kill(), m.state(), m.list(), m.delete(), m.readExit(), m.purge()]) {
      expect((await rejection(call, 'ENORUNTIME')).message).to.contain('/usr/sbin/runc');
    }
  });

  it('with crun, fails create with EOCI: crun cannot run on hybrid cgroups here', async function () {
    if (!(await access(CRUN).then(() => true, () => false))) this.skip(); // crun is not installed (apt-get install crun)
    const r = s.runtimeWith({ runtime: CRUN, root: `${s.dir}/crun-root` });
    expect(r.name).to.equal('crun');
    const e = await rejection(r.create(s.spec('crun1', ['true'])), 'EOCI');
    expect(e.message).to.equal('crun create failed: cgroups in hybrid mode not supported, drop all controllers from cgroupv2');
    expect(await r.state('crun1')).to.equal(null);
  });
});
