/**
 * wait-condition.ts: Podman 4's condition names, how each is met, what a met wait answers, and the
 * --interval check (Podman compatibility only).
 */
import { expect } from 'chai';
import { BerthError } from '../../src/errors.js';
import { conditionMet, parseConditions, parseInterval, waitAnswer, waitConditionList } from '../../src/queue/wait-condition.js';

describe('wait conditions', () => {
  it('defaults to stopped or exited, met by the process ending, answering the exit code', () => {
    const d = parseConditions(undefined);
    expect(d).to.deep.equal(['stopped', 'exited']);
    for (const s of ['stopped', 'exited', 'removed']) expect(conditionMet(d, s), s).to.equal(true);
    for (const s of ['configured', 'created', 'running', 'paused', 'stopping']) expect(conditionMet(d, s), s).to.equal(false);
    expect(waitAnswer(d, 'exited', 7)).to.equal(7);
  });

  it("maps Podman's created onto configured too, and answers -1 for conditions other than the end", () => {
    expect(conditionMet(['created'], 'configured')).to.equal(true);
    expect(conditionMet(['configured'], 'created')).to.equal(false);
    expect(conditionMet(['running', 'paused'], 'paused')).to.equal(true);
    expect(waitAnswer(['running'], 'running', 0)).to.equal(-1);
    expect(waitAnswer(['running', 'exited'], 'exited', 3)).to.equal(3);
  });

  it('refuses an unknown condition or a non-string, naming it (EINVAL)', () => {
    for (const bad of ['bogus', 'healthy', '', 'Running']) {
      expect(() => parseConditions([bad]), bad).to.throw(BerthError, 'unknown container state');
    }
    expect(() => parseConditions([42])).to.throw(BerthError, 'unknown container state: number');
    expect(waitConditionList('running')).to.deep.equal(['running']);
    expect(waitConditionList(undefined)).to.equal(undefined);
  });

  it('checks --interval as a duration and ignores it', () => {
    expect(parseInterval('250ms')).to.equal(250);
    expect(parseInterval('5s')).to.equal(5000);
    expect(parseInterval('100')).to.equal(100);
    for (const bad of ['soon', '-1s', '5 parsecs', '']) expect(() => parseInterval(bad), bad).to.throw(BerthError, 'invalid interval');
  });
});
