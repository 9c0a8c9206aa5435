/**
 * A container's health check (Podman's --health-* flags, an image's HEALTHCHECK): the spec's
 * `healthcheck` field, validated with zod and normalised to a HealthConfig with Podman's defaults
 * (interval 30s, timeout 30s, retries 3, start period 0s, on-failure none). Durations are Go's
 * (time.ParseDuration: "1m30s", "500ms"), as Podman takes them; an interval of "disable" runs no
 * timer (`berth healthcheck run` still runs one). Shared kernel: zod only.
 */
import { z } from 'zod';

export const HEALTH_ON_FAILURE = ['none', 'kill', 'restart', 'stop'] as const;
export type HealthOnFailure = (typeof HEALTH_ON_FAILURE)[number];

/** A health check as stored with the container (and in its machine's context, less `test`). */
export interface HealthConfig {
  /** The argv a probe runs: `/bin/sh -c CMD` for the string (CMD-SHELL) form. */
  test: string[];
  /** The string form: the probe needs /bin/sh in the rootfs. */
  shell: boolean;
  /** 0: no timer ("disable"). */
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
  onFailure: HealthOnFailure;
}

/** A HealthConfig as a record stores it (read back from Redis: checked, never trusted). */
export const storedHealthConfigSchema = z.object({
  test: z.array(z.string()).min(1),
  shell: z.boolean(),
  intervalMs: z.number().int().min(0),
  timeoutMs: z.number().int().min(1),
  retries: z.number().int().min(1),
  startPeriodMs: z.number().int().min(0),
  onFailure: z.enum(['none', 'kill', 'restart', 'stop']),
});

export const HEALTH_DEFAULTS = Object.freeze({ interval: '30s', timeout: '30s', retries: 3, startPeriod: '0s', onFailure: 'none' as HealthOnFailure });

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in ms; null when it does not parse. A bare "0" is 0, as Go takes it. */
export function parseDuration(text: string): number | null {
  if (text === '0') return 0;
  const m = /^([0-9]*(?:\.[0-9]*)?(?:ns|us|µs|ms|s|m|h))+$/.test(text);
  if (!m || text.length > 64) return null;
  let total = 0;
  for (const part of text.matchAll(/([0-9]*(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)/g)) {
    const n = Number(part[1]);
    if (part[1] === '' || part[1] === '.' || !Number.isFinite(n)) return null;
    total += n * UNITS[part[2]!]!;
  }
  return Math.round(total);
}

/** A Go duration, checked (the spec keeps the text: a spec parsed twice, client and node, reads the same). */
const duration = (what: string, min: { ms: number; words: string }) =>
  z.string({ error: `healthcheck-${what} is a duration such as 30s` }).superRefine((s, ctx) => {
    if (s === 'disable' && what === 'interval') return;
    const ms = parseDuration(s);
    if (ms === null) ctx.addIssue({ code: 'custom', message: `time: invalid duration ${JSON.stringify(s.slice(0, 40))} (a Go duration such as 30s, 1m30s, 500ms)` });
    else if (ms < min.ms) ctx.addIssue({ code: 'custom', message: `healthcheck-${what} must be ${min.words}` });
  });
const ms = (text: string | undefined, fallback: number): number => (text === undefined ? fallback : (parseDuration(text) ?? fallback));

const noNul = (s: string) => !s.includes('\0');
const word = z.string().max(131_071).refine(noNul, 'contains a NUL byte');

/** The spec's `healthcheck` field, as callers pass it. */
export const healthcheckSchema = z
  .object({
    /** A string: run with /bin/sh -c (CMD-SHELL); an array: exec form (argv), or Docker's ["CMD", …] / ["CMD-SHELL", cmd]. */
    test: z.union([word.min(1, 'healthcheck test must not be empty'), z.array(word).min(1, 'healthcheck test must not be empty')]),
    /** "disable": no timer. */
    interval: duration('interval', { ms: 1000, words: 'at least 1 second' }).optional(),
    timeout: duration('timeout', { ms: 1000, words: 'at least 1 second' }).optional(),
    retries: z.number({ error: 'healthcheck-retries is a whole number' }).int('healthcheck-retries is a whole number').min(1, 'healthcheck-retries must be greater than 0').max(1_000_000).optional(),
    startPeriod: duration('start-period', { ms: 0, words: '0 seconds or greater' }).optional(),
    onFailure: z.enum(HEALTH_ON_FAILURE, { error: `invalid on-failure action for the health check: supported actions are ${HEALTH_ON_FAILURE.join(', ')}` }).optional(),
  })
  .strict();

export type HealthcheckInput = z.input<typeof healthcheckSchema>;

/** The argv of a test: a string is /bin/sh -c; Docker's CMD / CMD-SHELL prefixes are understood. */
function testArgv(test: string | string[]): { test: string[]; shell: boolean } | null {
  if (typeof test === 'string') return { test: ['/bin/sh', '-c', test], shell: true };
  if (test[0] === 'NONE') return null;
  if (test[0] === 'CMD-SHELL') return { test: ['/bin/sh', '-c', test.slice(1).join(' ')], shell: true };
  const argv = test[0] === 'CMD' ? test.slice(1) : test;
  return { test: argv, shell: false };
}

/** A validated `healthcheck` with Podman's defaults; null for NONE. Throws a message for an empty command. */
export function normaliseHealthcheck(h: z.output<typeof healthcheckSchema>): HealthConfig | null {
  const t = testArgv(h.test);
  if (t === null) return null;
  if (t.test.length === 0 || t.test[0] === '' || (t.shell && t.test[2] === '')) throw new Error('healthcheck test must not be empty');
  return {
    ...t,
    intervalMs: h.interval === 'disable' ? 0 : ms(h.interval, 30_000),
    timeoutMs: ms(h.timeout, 30_000),
    retries: h.retries ?? HEALTH_DEFAULTS.retries,
    startPeriodMs: ms(h.startPeriod, 0),
    onFailure: h.onFailure ?? 'none',
  };
}

/** An image config's HEALTHCHECK (Docker's, durations in ns; 0 = inherit the default). */
export interface ImageHealthcheck {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

const nsToDuration = (ns: number | undefined): string | undefined => (ns && ns > 0 ? `${Math.round(ns / 1e6)}ms` : undefined);

/**
 * An image's HEALTHCHECK as the spec's `healthcheck` input (null: none, or NONE), for the images
 * part to use at create when the user gave no --health-cmd and no --no-healthcheck.
 */
export function healthcheckFromImage(h: ImageHealthcheck | undefined): HealthcheckInput | null {
  if (!h?.Test || h.Test.length === 0 || h.Test[0] === 'NONE') return null;
  const interval = nsToDuration(h.Interval);
  const timeout = nsToDuration(h.Timeout);
  const startPeriod = nsToDuration(h.StartPeriod);
  return {
    test: h.Test,
    ...(interval ? { interval } : {}),
    ...(timeout ? { timeout } : {}),
    ...(startPeriod ? { startPeriod } : {}),
    ...(h.Retries && h.Retries > 0 ? { retries: h.Retries } : {}),
  };
}
