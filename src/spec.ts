/**
 * The container spec: what `create` takes (CLI flags, the TS API, a create job's data), validated
 * once at the boundary with zod and normalised with Podman's defaults.
 */
import { z } from 'zod';
import { BerthError } from './errors.js';

/** Podman's container name pattern. */
export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
export const ID_PATTERN = /^[0-9a-f]{64}$/;
export const DEFAULT_STOP_TIMEOUT = 10;
export const DEFAULT_STOP_SIGNAL = 'SIGTERM';

const envEntry = z.string().regex(/^[^=\s]+=/, 'env entries are KEY=VALUE');

export const containerSpecSchema = z
  .object({
    name: z.string().regex(NAME_PATTERN, `names must match ${NAME_PATTERN.source}`).max(253).optional(),
    rootfs: z.string().min(1, 'rootfs is required').refine((p) => p.startsWith('/'), 'rootfs must be an absolute path'),
    command: z.array(z.string()).min(1, 'a command is required'),
    env: z.union([z.array(envEntry), z.record(z.string().regex(/^[^=\s]+$/), z.string())]).optional(),
    workdir: z.string().refine((p) => p.startsWith('/'), 'workdir must be an absolute path').optional(),
    hostname: z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/, 'invalid hostname').max(253).optional(),
    stopSignal: z.string().min(1).optional(),
    stopTimeout: z.number().int('stopTimeout is whole seconds').min(0, 'stopTimeout must not be negative').optional(),
    node: z.string().regex(NAME_PATTERN, `node names must match ${NAME_PATTERN.source}`).optional(),
    /** Placement: only nodes whose labels have these values (ignored when `node` is given). */
    constraints: z.record(z.string().regex(/^[^=\s]+$/, 'constraint keys have no = or spaces'), z.string()).optional(),
  })
  .strict();

export type ContainerSpecInput = z.input<typeof containerSpecSchema>;

/** A spec with every default filled in: what is stored with the container. */
export interface ContainerSpec {
  name: string;
  rootfs: string;
  command: string[];
  env: string[];
  workdir: string;
  hostname: string;
  stopSignal: string;
  stopTimeout: number;
  node: string | undefined;
}

/** Validates and normalises; throws EINVAL naming the first bad field. */
export function parseSpec(input: unknown, fallbackName: string): ContainerSpec {
  const result = containerSpecSchema.safeParse(input);
  if (!result.success) throw new BerthError('EINVAL', `invalid container spec: ${describeIssues(result.error)}`);
  const s = result.data;
  const env = Array.isArray(s.env) ? s.env : Object.entries(s.env ?? {}).map(([k, v]) => `${k}=${v}`);
  return {
    name: s.name ?? fallbackName,
    rootfs: s.rootfs,
    command: s.command,
    env,
    workdir: s.workdir ?? '/',
    hostname: s.hostname ?? (s.name ?? fallbackName).slice(0, 63).replace(/[^a-zA-Z0-9.-]/g, '-'),
    stopSignal: s.stopSignal ?? DEFAULT_STOP_SIGNAL,
    stopTimeout: s.stopTimeout ?? DEFAULT_STOP_TIMEOUT,
    node: s.node,
  };
}

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

export function validateName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new BerthError('EINVAL', `invalid name "${name}": names must match ${NAME_PATTERN.source}`);
  }
  return name;
}
