/**
 * Times of `logs --since/--until`, read as Podman reads them (pkg/util ParseInputTime): RFC 3339
 * with or without fractional seconds and zone (no zone is UTC), a date alone (with or without
 * zone), a Unix time in seconds (fractions allowed), or a Go duration ("10m", "1h30m", "1.5s")
 * counted back from now for --since and forward from now for --until. Times are nanoseconds
 * since the epoch (bigint): conmon's timestamps have nanoseconds, and comparisons stay exact.
 */
import { BerthError } from '../errors.js';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/;
const UNIX = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;
const DURATION = /^([+-]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+|0)$/;
const DURATION_PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const MS_NS = 1_000_000n;

/**
 * `since` or `until` as nanoseconds since the epoch. EINVAL names the option as the caller calls
 * it (`name`: "since" for the API, "--since" for the CLI) and echoes the value.
 */
export function parseLogTime(value: string | Date, which: 'since' | 'until', opts: { name?: string; nowMs?: number } = {}): bigint {
  const option = opts.name ?? which;
  const nowMs = opts.nowMs ?? Date.now();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new BerthError('EINVAL', `\`${option}\` is an invalid Date`);
    return BigInt(value.getTime()) * MS_NS;
  }
  if (typeof value !== 'string') throw new BerthError('EINVAL', `\`${option}\` must be a Date or a string, got ${String(value)} (${typeof value})`);
  const s = value.trim();
  const t = rfc3339Nanos(s);
  if (t !== null) return t;
  if (UNIX.test(s)) return BigInt(Math.round(Number(s) * 1e6)) * 1000n;
  const d = DURATION.exec(s);
  if (d) {
    let ns = 0;
    for (const [, n, unit] of s.matchAll(DURATION_PART)) ns += Number(n) * UNIT_NS[unit!]!;
    const signed = BigInt(Math.round(d[1] === '-' ? -ns : ns));
    const now = BigInt(nowMs) * MS_NS;
    return which === 'since' ? now - signed : now + signed;
  }
  throw new BerthError(
    'EINVAL',
    `\`${option}\` must be an RFC 3339 time (2026-12-02T19:05:40Z), a date, a Unix time or a duration (10m, 1h30m), got "${value}"`,
  );
}

/** An RFC 3339 time (conmon's, or a user's) as nanoseconds since the epoch; null when it is not one. */
export function rfc3339Nanos(s: string): bigint | null {
  const m = DATE_TIME.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  const check = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March: such a time is not valid
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return null;
  const offsetMin = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return BigInt(ms - offsetMin * 60_000) * MS_NS + BigInt(frac.padEnd(9, '0') || '0');
}

/** conmon's time as `-t` prints it, as Podman does: a zero offset becomes "Z". */
export function displayTime(conmonTime: string): string {
  return conmonTime.endsWith('+00:00') ? `${conmonTime.slice(0, -6)}Z` : conmonTime;
}
