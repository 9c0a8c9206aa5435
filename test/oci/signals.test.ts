import { expect } from 'chai';
import { parseSignal } from '../../src/oci/index.js';
import { BerthError } from '../../src/errors.js';

describe('oci/signals: parseSignal', () => {
  it('accepts names with or without SIG, in any case, and numbers', () => {
    for (const input of ['TERM', 'SIGTERM', 'sigterm', 'term', '15', ' SIGTERM ']) {
      expect(parseSignal(input)).to.deep.equal({ name: 'SIGTERM', number: 15 });
    }
    expect(parseSignal('KILL')).to.deep.equal({ name: 'SIGKILL', number: 9 });
    expect(parseSignal('9')).to.deep.equal({ name: 'SIGKILL', number: 9 });
    expect(parseSignal('usr1')).to.deep.equal({ name: 'SIGUSR1', number: 10 });
    expect(parseSignal('SIGIOT')).to.deep.equal({ name: 'SIGABRT', number: 6 });
    expect(parseSignal('6')).to.deep.equal({ name: 'SIGABRT', number: 6 });
  });

  it('throws EINVAL `unknown signal "X"` for anything else', () => {
    for (const input of ['SIGNOPE', 'NOPE', '0', '32', '99', '-9', 'SIG', '', '9x', 'SIG TERM']) {
      expect(() => parseSignal(input), input)
        .to.throw(BerthError, `unknown signal "${input}"`)
        .with.property('code', 'EINVAL');
    }
  });
});
