/** conmon's arguments (pure): Podman's -i and -t reach conmon only when the spec asks. */
import { expect } from 'chai';
import { conmonArgs } from '../../src/oci/conmon.js';
import { StateLayout } from '../../src/oci/layout.js';

const base = { runtime: '/usr/sbin/runc', root: '/run/berth', id: 'c1', run: 1, layout: new StateLayout('/var/lib/berth') };

describe('oci: conmonArgs', () => {
  it('keeps stdin closed and gives no terminal by default, with the attach socket in the bundle', () => {
    const args = conmonArgs(base);
    expect(args).to.not.include('-i').and.not.include('-t');
    expect(args).to.include('--full-attach');
    expect(args[args.indexOf('-b') + 1]).to.equal('/var/lib/berth/bundles/c1');
  });

  it('passes -i for stdin and -t for a terminal', () => {
    expect(conmonArgs({ ...base, stdin: true }).slice(-1)).to.deep.equal(['-i']);
    expect(conmonArgs({ ...base, tty: true }).slice(-1)).to.deep.equal(['-t']);
    expect(conmonArgs({ ...base, stdin: true, tty: true }).slice(-2)).to.deep.equal(['-i', '-t']);
  });
});
