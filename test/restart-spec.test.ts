/**
 * The restart policy's spec fields and `--restart`, as Podman parses it: every bad value is a
 * clear EINVAL (exit 125 at the CLI) before anything is sent.
 */
import { expect } from 'chai';
import { parseRestartFlag } from '../src/restart-spec.js';
import { parseSpec } from '../src/spec.js';

describe('restart policy: --restart and the spec fields', () => {
  it('parses Podman\'s policies', () => {
    expect(parseRestartFlag('no')).to.deep.equal({ restartPolicy: 'no' });
    expect(parseRestartFlag('never')).to.deep.equal({ restartPolicy: 'no' });
    expect(parseRestartFlag('always')).to.deep.equal({ restartPolicy: 'always' });
    expect(parseRestartFlag('unless-stopped')).to.deep.equal({ restartPolicy: 'unless-stopped' });
    expect(parseRestartFlag('on-failure')).to.deep.equal({ restartPolicy: 'on-failure' });
    expect(parseRestartFlag('on-failure:3')).to.deep.equal({ restartPolicy: 'on-failure', restartRetries: 3 });
  });

  for (const [flag, message] of [
    ['on-failure:-1', 'invalid --restart "on-failure:-1": must specify restart policy retry count as a number greater than 0'],
    ['on-failure:x', 'invalid --restart "on-failure:x": the retry count "x" is not a whole number'],
    ['on-failure:', 'the retry count "" is not a whole number'],
    ['sometimes', 'invalid restart policy: "sometimes" (no, on-failure[:N], always or unless-stopped)'],
    ['always:3', 'restart policy retries can only be specified with on-failure restart policy'],
    ['on-failure:1:2', 'may only contain 2 colon-separated values'],
  ] as const) {
    it(`refuses --restart ${flag}`, () => {
      expect(() => parseRestartFlag(flag)).to.throw(message).with.property('code', 'EINVAL');
    });
  }

  it('the spec keeps the policy, its N and the backoff; no policy: no restart field', () => {
    const base = { rootfs: '/r', command: ['true'] };
    expect(parseSpec(base, 'x').restart).to.equal(undefined);
    expect(parseSpec({ ...base, restartPolicy: 'on-failure', restartRetries: 2, restartBackoffMs: 50 }, 'x').restart).to.deep.equal({ policy: 'on-failure', retries: 2, backoff: { initialMs: 50 } });
  });

  for (const [bad, message] of [
    [{ restartPolicy: 'sometimes' }, 'restartPolicy: restartPolicy is no, on-failure, always, unless-stopped'],
    [{ restartPolicy: 'on-failure', restartRetries: -1 }, 'restartRetries: restartRetries must not be negative'],
    [{ restartPolicy: 'always', restartRetries: 2 }, 'restartRetries: restart policy retries can only be specified with on-failure restart policy'],
    [{ restartBackoffMs: 0 }, 'restartBackoffMs: restartBackoffMs must be at least 1'],
    [{ restartBackoffMs: 500, restartBackoffMaxMs: 100 }, 'restartBackoffMaxMs must not be below restartBackoffMs'],
  ] as const) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      expect(() => parseSpec({ rootfs: '/r', command: ['true'], ...bad }, 'x')).to.throw(message).with.property('code', 'EINVAL');
    });
  }
});
