/**
 * The health check's flags and spec, without a worker: --health-* to the spec (Podman's JSON-array
 * rule for --health-cmd, --no-healthcheck, tuning flags without a command refused), Go durations,
 * the spec's validation and defaults, an image's HEALTHCHECK as a spec, and ps's STATUS with the
 * health in parentheses, as Podman.
 */
import { expect } from 'chai';
import { healthFromFlags } from '../../src/cli/health-flags.js';
import { specFromFlags } from '../../src/cli/commands/create.js';
import { formatStatus } from '../../src/cli/output.js';
import { healthcheckFromImage, parseDuration } from '../../src/healthcheck.js';
import { parseSpec } from '../../src/spec.js';
import type { BerthError } from '../../src/errors.js';
import type { Inspect } from '../../src/actors/inspect.js';

const spec = (healthcheck: unknown, extra: Record<string, unknown> = {}) => parseSpec({ rootfs: '/r', command: ['sleep', '1'], healthcheck, ...extra }, 'n');
const error = (fn: () => unknown): BerthError => {
  try {
    fn();
  } catch (err) {
    return err as BerthError;
  }
  throw new Error('no error');
};

describe('health check flags and spec', () => {
  it('--health-cmd: a string for /bin/sh -c, a JSON array for the exec form; the tuning flags pass through', () => {
    expect(healthFromFlags({ healthCmd: 'curl -f x || exit 1' })).to.deep.equal({ healthcheck: { test: 'curl -f x || exit 1' } });
    expect(healthFromFlags({ healthCmd: '["true", "a b"]', healthInterval: '1s', healthTimeout: '2s', healthRetries: '4', healthStartPeriod: '1m', healthOnFailure: 'kill' })).to.deep.equal({
      healthcheck: { test: ['true', 'a b'], interval: '1s', timeout: '2s', retries: 4, startPeriod: '1m', onFailure: 'kill' },
    });
    expect(healthFromFlags({ healthCmd: 'true', healthcheck: false })).to.deep.equal({ noHealthcheck: true });
    expect(healthFromFlags({})).to.deep.equal({});
  });

  it('create/run: the flags in the spec (run -d … --health-cmd \'["sh", "-c", "x"]\' --health-interval disable)', () => {
    const s = specFromFlags('sleep', ['1000'], { rootfs: '/r', healthCmd: '["sh", "-c", "x"]', healthInterval: 'disable', healthRetries: '1' }, '/');
    expect(s.healthcheck).to.deep.equal({ test: ['sh', '-c', 'x'], interval: 'disable', retries: 1 });
    expect(parseSpec(s, 'n').healthcheck).to.deep.include({ test: ['sh', '-c', 'x'], shell: false, intervalMs: 0, retries: 1 });
    expect(specFromFlags('sleep', [], { rootfs: '/r', healthCmd: 'true', healthcheck: false }, '/')).to.include({ noHealthcheck: true });
  });

  it('refuses, naming the flag: tuning without --health-cmd, a bad JSON array, non-numeric retries', () => {
    expect(error(() => healthFromFlags({ healthInterval: '5s' })).message).to.equal('`--health-interval` needs `--health-cmd`');
    expect(error(() => healthFromFlags({ healthCmd: '[1, 2]' })).message).to.equal('`--health-cmd` starts with [ but is not a JSON array of strings');
    expect(error(() => healthFromFlags({ healthCmd: 'true', healthRetries: 'many' })).message).to.equal('`--health-retries` must be a whole number, got "many"');
  });

  it('Go durations', () => {
    expect(['30s', '1m30s', '500ms', '1.5s', '0', '2h', '100us'].map(parseDuration)).to.deep.equal([30_000, 90_000, 500, 1500, 0, 7_200_000, 0]);
    expect(['', '5', 's', '1x', '-1s', '1s '].map(parseDuration)).to.deep.equal([null, null, null, null, null, null]);
  });

  it('the spec: Podman\'s defaults, the string and exec forms, NONE and noHealthcheck for none', () => {
    expect(spec({ test: 'true' }).healthcheck).to.deep.equal({ test: ['/bin/sh', '-c', 'true'], shell: true, intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0, onFailure: 'none' });
    expect(spec({ test: ['CMD', 'true'], interval: 'disable' }).healthcheck).to.deep.include({ test: ['true'], shell: false, intervalMs: 0 });
    expect(spec({ test: ['CMD-SHELL', 'exit 0'] }).healthcheck).to.deep.include({ test: ['/bin/sh', '-c', 'exit 0'], shell: true });
    expect(spec({ test: ['NONE'] }).healthcheck).to.equal(null);
    expect(spec({ test: 'true' }, { noHealthcheck: true })).to.not.have.property('healthcheck');
  });

  it('the spec refuses bad values with clear words (EINVAL)', () => {
    const cases: Array<[unknown, string]> = [
      [{ test: 'true', interval: 'soon' }, 'healthcheck.interval: time: invalid duration "soon"'],
      [{ test: 'true', interval: '500ms' }, 'healthcheck-interval must be at least 1 second'],
      [{ test: 'true', startPeriod: '-1s' }, 'healthcheck.startPeriod: time: invalid duration "-1s"'],
      [{ test: 'true', retries: 0 }, 'healthcheck-retries must be greater than 0'],
      [{ test: 'true', retries: 1.5 }, 'healthcheck-retries is a whole number'],
      [{ test: 'true', onFailure: 'explode' }, 'invalid on-failure action for the health check: supported actions are none, kill, restart, stop'],
      [{ test: '' }, 'healthcheck test must not be empty'],
      [{ test: ['CMD'] }, 'healthcheck test must not be empty'],
      [{ test: 'true', every: '1s' }, 'Unrecognized key'],
    ];
    for (const [h, words] of cases) {
      const e = error(() => spec(h));
      expect(e.code, words).to.equal('EINVAL');
      expect(e.message).to.contain(words);
    }
  });

  it("an image's HEALTHCHECK (ns durations; 0 inherits the default) as the spec's healthcheck", () => {
    expect(healthcheckFromImage({ Test: ['CMD-SHELL', 'true'], Interval: 5e9, Timeout: 0, Retries: 2 })).to.deep.equal({ test: ['CMD-SHELL', 'true'], interval: '5000ms', retries: 2 });
    expect(healthcheckFromImage({ Test: ['NONE'] })).to.equal(null);
    expect(healthcheckFromImage(undefined)).to.equal(null);
    expect(spec(healthcheckFromImage({ Test: ['CMD', 'true'], Interval: 5e9 })).healthcheck).to.deep.include({ test: ['true'], intervalMs: 5000 });
  });

  it("ps STATUS: Podman's words, then the health in parentheses", () => {
    const now = Date.parse('2026-01-01T00:00:05Z');
    const state = (over: Partial<Inspect['State']>) => ({ State: { Status: 'running', StartedAt: '2026-01-01T00:00:00Z', FinishedAt: '', ExitCode: 0, ...over } as Inspect['State'] });
    expect(formatStatus(state({ Health: { Status: 'healthy', FailingStreak: 0, Log: [] } }), now)).to.equal('Up 5 seconds (healthy)');
    expect(formatStatus(state({}), now)).to.equal('Up 5 seconds');
  });
});
