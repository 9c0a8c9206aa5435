/**
 * create's and run's health check flags, as Podman 4.3's: --health-cmd (a string run with
 * /bin/sh -c, or a JSON array for the exec form), --health-interval (a Go duration, or
 * "disable"), --health-timeout, --health-retries, --health-start-period, --health-on-failure
 * none|kill|restart|stop, --no-healthcheck. Turned into the spec's `healthcheck` here; the spec's
 * schema (healthcheck.ts) checks the values, so a bad one is refused before anything is sent.
 */
import type { Command } from 'commander';
import { BerthError } from '../errors.js';
import type { HealthcheckInput } from '../healthcheck.js';

export interface HealthFlags {
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthRetries?: string;
  healthStartPeriod?: string;
  healthOnFailure?: string;
  /** false with --no-healthcheck (commander's negation). */
  healthcheck?: boolean;
}

export function withHealthFlags(cmd: Command): Command {
  return cmd
    .option('--health-cmd <command>', 'a health check: run with /bin/sh -c, or a JSON array of its argv (exec form)')
    .option('--health-interval <duration>', 'time between health checks (default 30s; "disable": none on a timer)')
    .option('--health-timeout <duration>', 'time a health check may take before it is killed and counts as failed (default 30s)')
    .option('--health-retries <n>', 'failures in a row before the container is unhealthy (default 3)')
    .option('--health-start-period <duration>', 'time after the start in which failures do not count (default 0s)')
    .option('--health-on-failure <action>', 'what to do once unhealthy: none (default), kill, restart or stop')
    .option('--no-healthcheck', 'no health check at all');
}

const TUNING = ['healthInterval', 'healthTimeout', 'healthRetries', 'healthStartPeriod', 'healthOnFailure'] as const;
const flagName = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The spec's health fields from the flags; EINVAL naming the flag for what the schema cannot say. */
export function healthFromFlags(o: HealthFlags): { healthcheck?: HealthcheckInput; noHealthcheck?: true } {
  if (o.healthcheck === false) return { noHealthcheck: true };
  if (o.healthCmd === undefined) {
    const orphan = TUNING.find((k) => o[k] !== undefined);
    if (orphan) throw new BerthError('EINVAL', `\`${flagName(orphan)}\` needs \`--health-cmd\``);
    return {};
  }
  const retries = o.healthRetries === undefined ? undefined : o.healthRetries.trim();
  if (retries !== undefined && !/^-?\d+$/.test(retries)) throw new BerthError('EINVAL', `\`--health-retries\` must be a whole number, got "${o.healthRetries}"`);
  return {
    healthcheck: {
      test: testOf(o.healthCmd),
      ...(o.healthInterval === undefined ? {} : { interval: o.healthInterval }),
      ...(o.healthTimeout === undefined ? {} : { timeout: o.healthTimeout }),
      ...(retries === undefined ? {} : { retries: Number(retries) }),
      ...(o.healthStartPeriod === undefined ? {} : { startPeriod: o.healthStartPeriod }),
      ...(o.healthOnFailure === undefined ? {} : { onFailure: o.healthOnFailure as 'none' }),
    },
  };
}

/** Podman's rule: a value that starts with `[` is a JSON array (the exec form). */
function testOf(cmd: string): string | string[] {
  if (!cmd.trimStart().startsWith('[')) return cmd;
  let parsed: unknown;
  try {
    parsed = JSON.parse(cmd);
  } catch {
    throw new BerthError('EINVAL', '`--health-cmd` starts with [ but is not a JSON array of strings');
  }
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new BerthError('EINVAL', '`--health-cmd` starts with [ but is not a JSON array of strings');
  return parsed as string[];
}
