/** `--since` / `--until` times as Podman reads them, in nanoseconds, and `-t`'s display of conmon's time. */
import { expect } from 'chai';
import { displayTime, parseLogTime, rfc3339Nanos } from '../../src/queue/log-time.js';

const NOW = Date.UTC(2026, 11, 2, 19, 0, 0); // 2026-12-02T19:00:00Z
const ns = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;

describe('queue/log-time: times of logs --since / --until', () => {
  it('reads RFC 3339 with nanoseconds and any zone, exactly', () => {
    expect(rfc3339Nanos('2026-12-02T19:05:40.821624178+00:00')).to.equal(ns('2026-12-02T19:05:40Z') + 821_624_178n);
    expect(rfc3339Nanos('2026-12-02T20:05:40.5+01:00')).to.equal(ns('2026-12-02T19:05:40Z') + 500_000_000n);
    expect(rfc3339Nanos('2026-12-02T19:05:40Z')).to.equal(ns('2026-12-02T19:05:40Z'));
  });

  it("takes Podman's formats: no zone is UTC, a date alone, a date with a zone, a Unix time", () => {
    const at = (v: string) => parseLogTime(v, 'since', { nowMs: NOW });
    expect(at('2026-12-02T19:05:40')).to.equal(ns('2026-12-02T19:05:40Z'));
    expect(at('2026-12-02T19:05:40.25')).to.equal(ns('2026-12-02T19:05:40.250Z'));
    expect(at('2026-12-02')).to.equal(ns('2026-12-02T00:00:00Z'));
    expect(at('2026-12-02-02:00')).to.equal(ns('2026-12-02T02:00:00Z'));
    expect(at('1700000000')).to.equal(1_700_000_000n * 1_000_000_000n);
    expect(at('1700000000.5')).to.equal(1_700_000_000_500_000_000n);
  });

  it('a duration counts back from now for since, forward for until (as Podman)', () => {
    expect(parseLogTime('10m', 'since', { nowMs: NOW })).to.equal(ns('2026-12-02T18:50:00Z'));
    expect(parseLogTime('1h30m', 'until', { nowMs: NOW })).to.equal(ns('2026-12-02T20:30:00Z'));
    expect(parseLogTime('1.5s', 'since', { nowMs: NOW })).to.equal(ns('2026-12-02T18:59:58.500Z'));
    expect(parseLogTime('0', 'since', { nowMs: NOW }), 'a number is a Unix time first').to.equal(0n);
    expect(parseLogTime(new Date(NOW), 'until')).to.equal(ns('2026-12-02T19:00:00Z'));
  });

  it('refuses anything else with EINVAL naming the option', () => {
    for (const bad of ['yesterday', '10x', '2026-13-01', '2026-02-30', '2026-12-02T25:00:00Z', '', 'm']) {
      expect(() => parseLogTime(bad, 'since', { name: '--since' }), bad).to.throw(`\`--since\` must be an RFC 3339 time (2026-12-02T19:05:40Z), a date, a Unix time or a duration (10m, 1h30m), got "${bad}"`);
    }
    expect(() => parseLogTime(new Date(Number.NaN), 'until')).to.throw('`until` is an invalid Date');
    expect(() => parseLogTime(42 as unknown as string, 'since')).to.throw('`since` must be a Date or a string, got 42 (number)');
  });

  it("-t prints conmon's time, a zero offset as Z (as Podman)", () => {
    expect(displayTime('2026-12-02T19:05:40.821624178+00:00')).to.equal('2026-12-02T19:05:40.821624178Z');
    expect(displayTime('2026-12-02T20:05:40.821624178+01:00')).to.equal('2026-12-02T20:05:40.821624178+01:00');
  });
});
