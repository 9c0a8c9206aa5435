/** Detach keys as Podman takes them, and the scanner that holds back a sequence begun. */
import { expect } from 'chai';
import { BerthError } from '../../src/errors.js';
import { DEFAULT_DETACH_KEYS, DetachScanner, parseDetachKeys } from '../../src/cli/detach-keys.js';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('cli: detach keys', () => {
  it("parses Podman's default ctrl-p,ctrl-q, single characters and the ctrl specials; \"\" is none", () => {
    expect([...parseDetachKeys(DEFAULT_DETACH_KEYS)!]).to.deep.equal([16, 17]);
    expect([...parseDetachKeys('a,ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,CTRL-A')!]).to.deep.equal([97, 0, 27, 28, 29, 30, 31, 1]);
    expect(parseDetachKeys('')).to.equal(null);
  });

  it('refuses what is not a key, with EINVAL naming the value', () => {
    for (const bad of ['ctrl-1', 'ab', 'ctrl-p,,ctrl-q', 'é', 'ctrl-']) {
      const e = (() => {
        try {
          parseDetachKeys(bad);
        } catch (err) {
          return err;
        }
        return null;
      })();
      expect(e, bad).to.be.instanceOf(BerthError);
      expect((e as BerthError).code).to.equal('EINVAL');
      expect((e as BerthError).message).to.match(/^invalid detach keys /);
    }
  });

  it('detaches on the whole sequence, never sending it, even split across reads', () => {
    const s = new DetachScanner(parseDetachKeys('ctrl-p,ctrl-q'));
    expect(s.scan(b('ls\x10'))).to.deep.equal({ send: b('ls'), detach: false });
    expect(s.scan(b('\x11rest'))).to.deep.equal({ send: b(''), detach: true });
  });

  it('sends a begun sequence that breaks, and one left begun at EOF', () => {
    const s = new DetachScanner(parseDetachKeys('ctrl-p,ctrl-q'));
    expect(s.scan(b('\x10x'))).to.deep.equal({ send: b('\x10x'), detach: false });
    expect(s.scan(b('\x10\x10'))).to.deep.equal({ send: b('\x10'), detach: false });
    expect(s.flush()).to.deep.equal(b('\x10'));
    expect(s.flush()).to.deep.equal(b(''));
  });

  it('passes everything through with detaching off', () => {
    const s = new DetachScanner(null);
    expect(s.scan(b('\x10\x11'))).to.deep.equal({ send: b('\x10\x11'), detach: false });
  });
});
