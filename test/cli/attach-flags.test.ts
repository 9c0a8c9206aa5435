/** The flags of run, start -a and attach, checked before anything is sent. */
import { expect } from 'chai';
import { BerthError } from '../../src/errors.js';
import { parseBoolFlag, sessionOptions, startFailureCode } from '../../src/cli/commands/attach.js';
import { specFromFlags } from '../../src/cli/commands/create.js';

describe('cli: attach flags', () => {
  it('-i and -t become the spec\'s stdin and tty; without them the spec has neither', () => {
    expect(specFromFlags('sh', [], { rootfs: '/r', interactive: true, tty: true })).to.include({ stdin: true, tty: true });
    expect(specFromFlags('sh', [], { rootfs: '/r' })).to.not.have.any.keys('stdin', 'tty');
  });

  it('--sig-proxy: alone true, =true, =false; anything else is EINVAL naming the flag', () => {
    expect(parseBoolFlag('--sig-proxy', undefined, true)).to.equal(true);
    expect(parseBoolFlag('--sig-proxy', true, true)).to.equal(true);
    expect(parseBoolFlag('--sig-proxy', 'false', true)).to.equal(false);
    expect(parseBoolFlag('--sig-proxy', 'true', false)).to.equal(true);
    expect(() => parseBoolFlag('--sig-proxy', 'sh', true)).to.throw(BerthError, '`--sig-proxy` is true or false (--sig-proxy=false), got "sh"');
  });

  it("session options: Podman's defaults (sig-proxy on, ctrl-p,ctrl-q), \"\" turns detaching off", () => {
    expect(sessionOptions({})).to.deep.equal({ sigProxy: true, detachKeys: Buffer.from([16, 17]) });
    expect(sessionOptions({ sigProxy: 'false', detachKeys: '' })).to.deep.equal({ sigProxy: false, detachKeys: null });
  });

  it("a start that fails exits as Podman's: 127 not found, 126 not runnable, 125 otherwise", () => {
    expect(startFailureCode(new BerthError('EINVAL', 'executable "nope" not found in rootfs /r'))).to.equal(127);
    expect(startFailureCode(new BerthError('EOCI', 'runc create failed: exec: "x": executable file not found in $PATH'))).to.equal(127);
    expect(startFailureCode(new BerthError('EOCI', 'runc create failed: exec /bin/x: permission denied'))).to.equal(126);
    expect(startFailureCode(new BerthError('EOCI', 'runc create failed: cgroup busy'))).to.equal(125);
    expect(startFailureCode(new BerthError('ECTRSTATE', 'cannot start container x in state paused'))).to.equal(125);
    expect(startFailureCode(new Error('executable file not found'))).to.equal(125);
  });
});
