/**
 * create/run's image form (issue 11): without --rootfs the first positional is the image and the
 * rest its command; --entrypoint (one string or a JSON array), --user, --label and --read-only.
 */
import { expect } from 'chai';
import { parseEntrypoint, specFromFlags } from '../../src/cli/commands/create.js';
import { BerthError } from '../../src/errors.js';
import { containerSpecSchema } from '../../src/spec.js';

describe('cli: create IMAGE [CMD [ARG...]]', () => {
  it('takes the first positional as the image, the rest as its command, when --rootfs is absent', () => {
    expect(specFromFlags('busybox', [], {})).to.deep.equal({ image: 'busybox' });
    expect(specFromFlags('busybox', ['echo', 'hi'], {})).to.deep.equal({ image: 'busybox', command: ['echo', 'hi'] });
    expect(specFromFlags('sh', ['-c', 'true'], { rootfs: '/r' })).to.deep.equal({ rootfs: '/r', command: ['sh', '-c', 'true'] });
  });

  it('maps --entrypoint, --user, --label and --read-only', () => {
    const spec = specFromFlags('img', [], { entrypoint: '["/bin/sh","-c"]', user: 'app:app', label: ['a=1', 'b='], readOnly: true });
    expect(spec).to.deep.equal({ image: 'img', entrypoint: ['/bin/sh', '-c'], user: 'app:app', labels: { a: '1', b: '' }, readOnly: true });
    expect(parseEntrypoint('/bin/echo')).to.deep.equal(['/bin/echo']);
    expect(parseEntrypoint('')).to.deep.equal(['']);
    expect(containerSpecSchema.safeParse(spec).success).to.equal(true);
  });

  it('refuses a bad --entrypoint or --label naming the flag', () => {
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).to.be.instanceOf(BerthError);
        return (err as BerthError).message;
      }
      throw new Error('not refused');
    };
    expect(refusal(() => parseEntrypoint('[1,2]'))).to.equal('`--entrypoint` is a command or a JSON array of strings, got "[1,2]"');
    expect(refusal(() => parseEntrypoint('[nope'))).to.equal('`--entrypoint` is a command or a JSON array of strings, got "[nope"');
    expect(refusal(() => specFromFlags('img', [], { label: ['novalue'] }))).to.contain('`--label`');
  });

  it('the spec refuses an entrypoint with --rootfs and a --rootfs spec without a command', () => {
    const issues = (spec: unknown) => containerSpecSchema.safeParse(spec).error?.issues.map((i) => i.message);
    expect(issues({ rootfs: '/r', command: ['sh'], entrypoint: ['x'] })).to.deep.equal(['entrypoint needs an image (with rootfs, give the whole command)']);
    expect(issues({ rootfs: '/r' })).to.deep.equal(['a command is required']);
  });
});
