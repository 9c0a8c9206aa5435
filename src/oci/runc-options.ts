/**
 * Options of the runc adapter: defaults, then the caller's, then one validation that names the
 * option in backticks. Binaries given as bare names (`runc`, `crun`) are looked up on PATH when
 * first needed; a missing one is BerthError ENORUNTIME naming the path.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { BerthError } from '../errors.js';
import { DEFAULT_SECCOMP_PROFILE } from './seccomp.js';

export interface RuncOptions {
  /** The OCI runtime: an absolute path, or a bare name looked up on PATH. crun has the same CLI. */
  runtime?: string;
  /** conmon: an absolute path, or a bare name looked up on PATH. */
  conmon?: string;
  /** `runc --root`: the runtime's own state. Use a private one (podman's containers are in /run/runc). */
  root: string;
  /** Bundles, logs and exit files live under it (see layout.ts). */
  stateDir: string;
  /** How long `create` waits for conmon to report the container's pid. */
  createTimeoutMs?: number;
  /** Timeout of every other runtime call. */
  callTimeoutMs?: number;
  /** The default seccomp profile (containers-common's, as Podman's `seccomp_profile`), read at the first create. */
  seccompProfile?: string;
}

export type ResolvedRuncOptions = Required<RuncOptions>;

export const DEFAULT_RUNC_OPTIONS = Object.freeze({
  runtime: '/usr/sbin/runc',
  conmon: '/usr/bin/conmon',
  createTimeoutMs: 30_000,
  callTimeoutMs: 30_000,
  seccompProfile: DEFAULT_SECCOMP_PROFILE,
});

const describe = (value: unknown) => `${JSON.stringify(value) ?? String(value)} (${typeof value})`;

export function validateRuncOptions(options: RuncOptions): ResolvedRuncOptions {
  const o = { ...DEFAULT_RUNC_OPTIONS, ...options };
  const values: Record<string, unknown> = o; // checked as the caller may really have passed them
  for (const key of ['root', 'stateDir', 'seccompProfile'] as const) {
    const v = values[key];
    if (typeof v !== 'string' || !isAbsolute(v)) {
      throw new BerthError('EINVAL', `\`${key}\` must be an absolute path, got ${describe(v)}`);
    }
  }
  for (const key of ['runtime', 'conmon'] as const) {
    const v = values[key];
    if (typeof v !== 'string' || v === '' || (!isAbsolute(v) && v.includes('/'))) {
      throw new BerthError('EINVAL', `\`${key}\` must be an absolute path or a bare command name, got ${describe(v)}`);
    }
  }
  for (const key of ['createTimeoutMs', 'callTimeoutMs'] as const) {
    const v = values[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      throw new BerthError('EINVAL', `\`${key}\` must be a positive integer (milliseconds), got ${describe(v)}`);
    }
  }
  return o;
}

const isExecutable = (path: string) => access(path, constants.X_OK).then(() => true, () => false);

/** The absolute path of an executable; BerthError ENORUNTIME naming it when it is missing. */
export async function resolveBinary(what: string, nameOrPath: string, path = process.env['PATH'] ?? ''): Promise<string> {
  if (isAbsolute(nameOrPath)) {
    if (await isExecutable(nameOrPath)) return nameOrPath;
    throw new BerthError('ENORUNTIME', `${what} ${nameOrPath} is missing or not executable`);
  }
  for (const dir of path.split(delimiter).filter((d) => isAbsolute(d))) {
    const candidate = join(dir, nameOrPath);
    if (await isExecutable(candidate)) return candidate;
  }
  throw new BerthError('ENORUNTIME', `${what} "${nameOrPath}" was not found on PATH (${path})`);
}
