/** printable / excerpt / quoted: control characters escaped, untrusted input shortened. */
import { expect } from 'chai';
import { EXCERPT_MAX, excerpt, printable, quoted } from '../src/printable.js';
import { noSuchContainer } from '../src/errors.js';

describe('printable text', () => {
  it('escapes C0, DEL, C1 and bidi controls; leaves the rest alone', () => {
    expect(printable('\x1b[2J\x1b]0;pwned\x07')).to.equal('\\x1b[2J\\x1b]0;pwned\\x07');
    expect(printable('a\nb\rc\td')).to.equal('a\\nb\\rc\\td');
    expect(printable('\x00\x7f\u009b31m')).to.equal('\\x00\\x7f\\u009b31m');
    expect(printable('abc\u202edcba\u2066')).to.equal('abc\\u202edcba\\u2066');
    expect(printable('héllo wörld ✓ \\x1b')).to.equal('héllo wörld ✓ \\x1b');
    expect(printable(printable('\x1b'))).to.equal('\\x1b'); // idempotent
  });

  it('excerpt cuts at about 200 characters and says how long the input was', () => {
    expect(EXCERPT_MAX).to.equal(200);
    expect(excerpt('short')).to.equal('short');
    const long = 'x'.repeat(5000);
    expect(excerpt(long)).to.equal(`${'x'.repeat(200)}… (5000 characters)`);
    expect(excerpt(`\x1b${'y'.repeat(300)}`, 3)).to.equal('\\x1byy… (301 characters)');
    expect(quoted('a"b\n')).to.equal('"a"b\\n"');
  });

  it('"no such container" quotes what was asked for, escaped and shortened', () => {
    const e = noSuchContainer(`\x1b[31m${'n'.repeat(1000)}`);
    expect(e.code).to.equal('ENOCTR');
    expect(e.message).to.equal(`no such container \\x1b[31m${'n'.repeat(195)}… (1005 characters)`);
    expect(noSuchContainer('web').message).to.equal('no such container web');
  });
});
