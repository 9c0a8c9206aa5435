/**
 * The restart policy's part of the container spec (spec.ts): Podman's `--restart` as fields
 * (`restartPolicy`, `restartRetries`), the backoff between restarts (`restartBackoffMs`, the first
 * delay; `restartBackoffMaxMs`, its cap; `restartBackoffResetMs`, the run that resets it), and
 * `parseRestartFlag` for the CLI's `no|on-failure[:N]|always|unless-stopped`, with Podman's words.
 * Shared kernel: zod and errors only.
 */
import { z } from 'zod';
import { BerthError } from './errors.js';

export const RESTART_POLICY_NAMES = ['no', 'on-failure', 'always', 'unless-stopped'] as const;
export type RestartPolicyField = (typeof RESTART_POLICY_NAMES)[number];

/** What the stored spec keeps (the machine's RestartSpec has the same shape). */
export interface RestartSpecFields {
  policy: RestartPolicyField;
  retries: number;
  backoff?: { initialMs?: number; maxMs?: number; resetMs?: number };
}

const ms = (name: string) => z.number({ error: `${name} is a number of milliseconds` }).int(`${name} is whole milliseconds`).min(1, `${name} must be at least 1`);

export const restartSpecShape = {
  /** Podman's --restart policy (default no). */
  restartPolicy: z.enum(RESTART_POLICY_NAMES, { error: `restartPolicy is ${RESTART_POLICY_NAMES.join(', ')}` }).optional(),
  /** on-failure's N, the most restarts (0: no limit). */
  restartRetries: z.number({ error: 'restartRetries is a number' }).int('restartRetries is a whole number').min(0, 'restartRetries must not be negative').optional(),
  restartBackoffMs: ms('restartBackoffMs').optional(),
  restartBackoffMaxMs: ms('restartBackoffMaxMs').optional(),
  restartBackoffResetMs: ms('restartBackoffResetMs').optional(),
};

type Fields = { [K in keyof typeof restartSpecShape]?: z.output<(typeof restartSpecShape)[K]> };

/** Podman: retries only with on-failure; a cap below the first delay is refused. */
export function checkRestartSpec(s: Fields, ctx: z.RefinementCtx): void {
  if (s.restartRetries !== undefined && s.restartRetries > 0 && s.restartPolicy !== 'on-failure') {
    ctx.addIssue({ code: 'custom', path: ['restartRetries'], message: 'restart policy retries can only be specified with on-failure restart policy' });
  }
  if (s.restartBackoffMs !== undefined && s.restartBackoffMaxMs !== undefined && s.restartBackoffMaxMs < s.restartBackoffMs) {
    ctx.addIssue({ code: 'custom', path: ['restartBackoffMaxMs'], message: 'restartBackoffMaxMs must not be below restartBackoffMs' });
  }
}

/** The stored spec's `restart`, absent when the spec names no policy and no backoff. */
export function restartSpecOf(s: Fields): { restart?: RestartSpecFields } {
  const backoff = {
    ...(s.restartBackoffMs === undefined ? {} : { initialMs: s.restartBackoffMs }),
    ...(s.restartBackoffMaxMs === undefined ? {} : { maxMs: s.restartBackoffMaxMs }),
    ...(s.restartBackoffResetMs === undefined ? {} : { resetMs: s.restartBackoffResetMs }),
  };
  const hasBackoff = Object.keys(backoff).length > 0;
  if (s.restartPolicy === undefined && !hasBackoff) return {};
  return { restart: { policy: s.restartPolicy ?? 'no', retries: s.restartRetries ?? 0, ...(hasBackoff ? { backoff } : {}) } };
}

/** `--restart no|never|on-failure[:N]|always|unless-stopped`, as Podman's ParseRestartPolicy. */
export function parseRestartFlag(value: string): { restartPolicy: RestartPolicyField; restartRetries?: number } {
  const parts = value.split(':');
  if (parts.length > 2) throw new BerthError('EINVAL', `invalid --restart ${JSON.stringify(value)}: may only contain 2 colon-separated values`);
  const [name = '', n] = parts;
  let retries: number | undefined;
  if (n !== undefined) {
    if (name !== 'on-failure') throw new BerthError('EINVAL', `invalid --restart ${JSON.stringify(value)}: restart policy retries can only be specified with on-failure restart policy`);
    if (!/^-?\d+$/.test(n)) throw new BerthError('EINVAL', `invalid --restart ${JSON.stringify(value)}: the retry count ${JSON.stringify(n)} is not a whole number`);
    retries = Number(n);
    if (retries < 0) throw new BerthError('EINVAL', `invalid --restart ${JSON.stringify(value)}: must specify restart policy retry count as a number greater than 0`);
  }
  const policy = name === '' || name === 'never' ? 'no' : name;
  if (!(RESTART_POLICY_NAMES as readonly string[]).includes(policy)) {
    throw new BerthError('EINVAL', `invalid restart policy: ${JSON.stringify(name)} (no, on-failure[:N], always or unless-stopped)`);
  }
  return { restartPolicy: policy as RestartPolicyField, ...(retries === undefined ? {} : { restartRetries: retries }) };
}
