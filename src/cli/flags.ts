/**
 * Validation of CLI flags at the boundary, before anything is sent: each parser takes the raw
 * string commander collected and returns the typed value, or throws EINVAL naming the flag, what
 * was expected and the value given (the client validates again; this gives the user the flag).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BerthError } from '../errors.js';
import { LOG_LEVELS } from '../log.js';
import { parseSeccompProfile } from '../oci/seccomp.js';
import { NETWORK_MODES, type NetworkMode, type SeccompSetting } from '../oci/types.js';
import { parseSignal } from '../signals.js';
import { ENV_NAME_PATTERN, NAME_PATTERN } from '../spec.js';

/** `--env K=V`: a variable name, then `=`, then any value (possibly empty). */
export function parseEnvFlag(value: string): string {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new BerthError('EINVAL', `\`--env\` must be KEY=VALUE, got "${value}"`);
  const key = value.slice(0, eq);
  if (!ENV_NAME_PATTERN.test(key) || key === '__proto__') {
    throw new BerthError('EINVAL', `\`--env\` takes a variable name (letters, digits and _, not starting with a digit), got "${key}"`);
  }
  return value;
}

/** `--network`: none (the default) or host. */
export function parseNetworkFlag(value: string): NetworkMode {
  if (!(NETWORK_MODES as readonly string[]).includes(value)) {
    throw new BerthError('EINVAL', `\`--network\` must be ${NETWORK_MODES.join(' or ')} (Berth sets up no other network), got "${value}"`);
  }
  return value as NetworkMode;
}

/** `--pids-limit`: a whole number >= -1; 0 and -1 mean unlimited, as in Podman. */
export function parsePidsLimit(value: string): number {
  const trimmed = value.trim();
  const n = Number(trimmed);
  if (!/^-?\d+$/.test(trimmed) || !Number.isSafeInteger(n) || n < -1) {
    throw new BerthError('EINVAL', `\`--pids-limit\` must be a whole number >= -1 (0 or -1: unlimited), got "${value}"`);
  }
  return n;
}

/**
 * `--security-opt` (repeatable, Podman's flag): only `seccomp=unconfined` and `seccomp=FILE` are
 * known; FILE (relative to `cwd`) is read and checked here, on the client, and the profile travels
 * in the spec, so the node needs no copy. The last seccomp option wins; undefined when none.
 */
export function parseSecurityOpts(values: readonly string[], cwd = process.cwd(), read = (path: string) => readFileSync(path, 'utf8')): SeccompSetting | undefined {
  let setting: SeccompSetting | undefined;
  for (const value of values) {
    const m = /^seccomp=(.+)$/.exec(value);
    if (!m) throw new BerthError('EINVAL', `\`--security-opt\` takes seccomp=unconfined or seccomp=FILE, got "${value}"`);
    const what = m[1]!;
    if (what === 'unconfined') {
      setting = 'unconfined';
      continue;
    }
    const path = resolve(cwd, what);
    let text: string;
    try {
      text = read(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new BerthError('EINVAL', `\`--security-opt\` seccomp=${what}: cannot read ${path} (${code})`, { cause: err });
    }
    try {
      setting = parseSeccompProfile(text, path);
    } catch (err) {
      throw new BerthError('EINVAL', `\`--security-opt\`: ${(err as Error).message}`, { cause: err });
    }
  }
  return setting;
}

/** Whole seconds >= 0 (`--stop-timeout`, `-t`). */
export function parseSeconds(flag: string, value: string): number {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
    throw new BerthError('EINVAL', `\`${flag}\` must be a whole number of seconds >= 0, got "${value}"`);
  }
  return Number(trimmed);
}

/** An integer >= 1 (`--concurrency`). */
export function parsePositiveInt(flag: string, value: string): number {
  const trimmed = value.trim();
  const n = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(n) || n < 1) {
    throw new BerthError('EINVAL', `\`${flag}\` must be a positive integer, got "${value}"`);
  }
  return n;
}

/** A signal name or number (`-s`, `--stop-signal`), returned as its canonical name (SIGTERM). */
export function parseSignalFlag(flag: string, value: string): string {
  try {
    return parseSignal(value).name;
  } catch {
    throw new BerthError('EINVAL', `unknown signal "${value}" for \`${flag}\``);
  }
}

/** A container name (`--name`) or node name (`--node`): Podman's pattern. */
export function parseNameFlag(flag: string, value: string): string {
  if (!NAME_PATTERN.test(value) || value.length > 253) {
    throw new BerthError('EINVAL', `invalid name "${value}" for \`${flag}\`: names must match ${NAME_PATTERN.source}`);
  }
  return value;
}

/** `--log-level`: one of pino's levels. */
export function parseLogLevel(value: string): string {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new BerthError('EINVAL', `\`--log-level\` must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  }
  return value;
}

/** `--format` for a listing: one of the allowed names. */
export function parseFormat<T extends string>(value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new BerthError('EINVAL', `\`--format\` must be ${allowed.join(' or ')}, got "${value}"`);
  }
  return value as T;
}

/** commander's collector for repeatable flags (`--env A=1 --env B=2`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A hostname as the node's default name: Podman's name pattern, invalid characters as '-'. */
export function sanitizeNodeName(host: string): string {
  const cleaned = host.replace(/[^a-zA-Z0-9_.-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '').slice(0, 253);
  return cleaned === '' ? 'node' : cleaned;
}

/** Repeated KEY=VALUE flags (`--label`, `--constraint`) as a record; EINVAL names the flag. */
export function parseLabels(flag: string, values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0 || /\s/.test(v.slice(0, i))) throw new BerthError('EINVAL', `\`${flag}\` takes KEY=VALUE, got "${v}"`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}
