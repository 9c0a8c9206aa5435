/**
 * The container spec: what `create` takes (CLI flags, the TS API, a create job's data), validated
 * once at the boundary with zod and normalised with Podman's defaults. A spec that could only fail
 * later (at `runc create`, at exec, at stop) is refused here with EINVAL: NUL bytes, strings longer
 * than the kernel takes (MAX_ARG_STRLEN), environment names that are not names, a stop signal
 * that is not a signal, a relative workdir.
 */
import { z } from 'zod';
import { describeIssues } from './zod-issues.js';
import { BerthError } from './errors.js';
import { seccompProfileSchema, type SeccompProfile } from './seccomp-profile.js';
import { parseSignal } from './signals.js';
import { checkRestartSpec, restartSpecShape, restartSpecOf, type RestartSpecFields } from './restart-spec.js';
import { healthcheckSchema, normaliseHealthcheck, type HealthConfig } from './healthcheck.js';

/**
 * A container's network: `none` (the default, Podman's `--network none`) is a network namespace
 * of its own with only the loopback interface up; `host` shares the node's network, and with it
 * every service listening on the node's loopback, Berth's Redis included.
 */
export type NetworkMode = 'none' | 'host';
export const NETWORK_MODES: readonly NetworkMode[] = Object.freeze(['none', 'host']);

/** The node's default seccomp profile (containers-common's), none at all, or a profile of the spec's own. */
export type SeccompSetting = 'default' | 'unconfined' | SeccompProfile;

/** Podman's default pids limit (containers.conf `pids_limit`). */
export const DEFAULT_PIDS_LIMIT = 2048;

/** Podman's container name pattern. */
export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
export const ID_PATTERN = /^[0-9a-f]{64}$/;
/** An environment variable's name (POSIX: letters, digits and _, not starting with a digit). */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const DEFAULT_STOP_TIMEOUT = 10;
export const DEFAULT_STOP_SIGNAL = 'SIGTERM';
/** Linux's limit on one argument or environment string, its terminating NUL included. */
export const MAX_ARG_STRLEN = 131_072;
/** Linux's PATH_MAX, its terminating NUL included. */
const PATH_MAX = 4096;

const noNul = (s: string) => !s.includes('\0');
const fitsExec = (s: string) => Buffer.byteLength(s) < MAX_ARG_STRLEN;
const TOO_LONG = `is longer than the kernel takes (MAX_ARG_STRLEN: ${MAX_ARG_STRLEN} bytes with its NUL)`;

/** A string execve(2) will take as one argument or environment entry. */
export const execString = z.string().refine(noNul, 'contains a NUL byte').refine(fitsExec, TOO_LONG);

export const absolutePath = (what: string) =>
  z
    .string()
    .refine(noNul, `${what} contains a NUL byte`)
    .refine((p) => p.startsWith('/'), `${what} must be an absolute path`)
    .refine((p) => Buffer.byteLength(p) < PATH_MAX, `${what} is longer than PATH_MAX (${PATH_MAX} bytes)`);

/** A key for messages: short, quoted, escaped (it is untrusted input). */
const quoted = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

const envKeyIssue = (key: string): string | null => {
  if (key === '__proto__') return `${quoted(key)} is not allowed as a variable name`;
  if (!ENV_NAME_PATTERN.test(key)) return `${quoted(key)} is not a valid variable name (letters, digits and _, not starting with a digit)`;
  return null;
};

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v) as object | null);

/**
 * `env`: KEY=VALUE entries, or an object of KEY: VALUE (own keys only, read before anything can
 * drop `__proto__`); normalised to entries.
 */
export const envSchema = z
  .custom<string[] | Record<string, string>>((v) => Array.isArray(v) || isPlainObject(v), 'env must be a list of KEY=VALUE entries or an object of names to values')
  .superRefine((env, ctx) => {
    // [where, the KEY=VALUE entry, its key]; an object's keys are named in the message, not the path
    const entries: [PropertyKey[], unknown, string | null][] = Array.isArray(env)
      ? env.map((e, i) => [[i], e, typeof e === 'string' ? e.slice(0, Math.max(0, e.indexOf('='))) || null : null])
      : Object.keys(env).map((k) => [[], typeof env[k] === 'string' ? `${k}=${env[k]}` : env[k], k]);
    for (const [path, entry, key] of entries) {
      const named = (message: string) => (path.length ? message : `${quoted(key ?? '')} ${message}`);
      const issue = (message: string) => ctx.addIssue({ code: 'custom', path, message });
      if (typeof entry !== 'string') issue(named('must be a string'));
      else if (key === null) issue('must be KEY=VALUE');
      else {
        const bad = envKeyIssue(key) ?? (noNul(entry) ? (fitsExec(entry) ? null : named(TOO_LONG)) : named('contains a NUL byte'));
        if (bad) issue(bad);
      }
    }
  })
  .transform((env) => (Array.isArray(env) ? [...env] : Object.keys(env).map((k) => `${k}=${env[k]}`)));

const signalSchema = z
  .string()
  .refine((s) => {
    try {
      parseSignal(s);
      return true;
    } catch {
      return false;
    }
  }, 'stopSignal is not a signal (a name such as SIGTERM or TERM, or a number)')
  .transform((s) => parseSignal(s).name);

const seccompSchema = z.union([
  z.enum(['default', 'unconfined'], { error: 'seccomp is "default", "unconfined" or a seccomp profile object' }),
  seccompProfileSchema,
]);

export const containerSpecSchema = z
  .object({
    name: z.string().regex(NAME_PATTERN, `names must match ${NAME_PATTERN.source}`).max(253).optional(),
    /** A directory on the node (within its rootfs roots); exactly one of `rootfs` and `image`. */
    rootfs: absolutePath('rootfs').optional(),
    /** Without `image`, required; with one, it replaces the image's Cmd. */
    command: z
      .array(execString)
      .min(1, 'a command is required')
      .refine((c) => c[0] !== '', 'the command (its first word) must not be empty')
      .optional(),
    env: envSchema.optional(),
    workdir: absolutePath('workdir').optional(),
    hostname: z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/, 'invalid hostname').max(253).optional(),
    stopSignal: signalSchema.optional(),
    stopTimeout: z.number().int('stopTimeout is whole seconds').min(0, 'stopTimeout must not be negative').optional(),
    node: z.string().regex(NAME_PATTERN, `node names must match ${NAME_PATTERN.source}`).optional(),
    /** Placement: only nodes whose labels have these values (ignored when `node` is given). */
    constraints: z.record(z.string().regex(/^[^=\s]+$/, 'constraint keys have no = or spaces'), z.string()).optional(),
    /** `none` (default): a network namespace with only loopback; `host`: the node's network, Berth's Redis included. */
    network: z.enum(NETWORK_MODES as [NetworkMode, ...NetworkMode[]], { error: `network is ${NETWORK_MODES.join(' or ')}` }).optional(),
    /** `default` (the node's containers-common profile), `unconfined`, or a profile of the spec's own. */
    seccomp: seccompSchema.optional(),
    /** The container cgroup's pids limit (default 2048); 0 or -1: unlimited. */
    pidsLimit: z.number().int('pidsLimit is a whole number').min(-1, 'pidsLimit is at least -1 (0 or -1: unlimited)').optional(),
    /** Podman's -i/--interactive: keep the container's stdin open (conmon -i), for attach to write to. */
    stdin: z.boolean({ error: 'stdin is true or false' }).optional(),
    /** Podman's -t/--tty: a pseudo-terminal (process.terminal, conmon -t); its output is one stdout stream. */
    tty: z.boolean({ error: 'tty is true or false' }).optional(),
    // ---- storage (issue 11): containers from images; resolved on the node (storage/image-spec.ts) ----
    /** An image on the node (name[:tag], or its full or short Id); the node pulls one it lacks. */
    image: z
      .string()
      .min(1, 'image must not be empty')
      .max(512, 'image is longer than 512 characters')
      .regex(/^[^\s\0]+$/, 'image must be a reference (name[:tag][@digest] or an Id) without spaces')
      .optional(),
    /** Podman's --entrypoint: replaces the image's Entrypoint (and drops its Cmd unless `command` is given); `[""]` for none. */
    entrypoint: z.array(execString).max(4096).optional(),
    /** The process's USER[:GROUP] (names or numbers), resolved in the container's /etc/passwd and /etc/group. */
    user: z.string().max(256).regex(/^[^:\s/\0]+(:[^:\s/\0]+)?$/, 'user must be USER[:GROUP] (names or numbers)').optional(),
    /** Labels, merged over the image's. */
    labels: z.record(z.string().min(1, 'label keys must not be empty').max(256).refine(noNul, 'label keys contain a NUL byte'), z.string().max(4096).refine(noNul, 'label values contain a NUL byte')).optional(),
    /** Podman's --read-only: a read-only root with a tmpfs /tmp (image containers are writable by default). */
    readOnly: z.boolean({ error: 'readOnly is true or false' }).optional(),
    // ---- end storage ----
    // --- dependencies (issue 12): Podman's --requires ---
    /** Containers (names or Ids; stored as Ids) started before this one, recursively; rm of one is refused while this exists. */
    requires: z
      .array(z.string().regex(NAME_PATTERN, 'requires: each requirement is a container name or Id').max(253))
      .max(64, 'requires: at most 64 containers')
      .optional(),
    // --- end dependencies ---
    // --- restart policy (issue 13): Podman's --restart, and the backoff between restarts ---
    ...restartSpecShape,
    // --- end restart policy ---
    // --- health check (issue 13): Podman's --health-* flags; healthcheck.ts ---
    healthcheck: healthcheckSchema.optional(),
    /** Podman's --no-healthcheck: none, whatever else says so (an image's HEALTHCHECK). */
    noHealthcheck: z.boolean({ error: 'noHealthcheck is true or false' }).optional(),
    // --- end health check ---
  })
  .strict()
  .superRefine((s, ctx) => {
    // ---- storage (issue 11): a root filesystem comes from exactly one place ----
    if (s.rootfs === undefined && s.image === undefined) ctx.addIssue({ code: 'custom', message: 'rootfs or image is required' });
    if (s.rootfs !== undefined && s.image !== undefined) ctx.addIssue({ code: 'custom', message: 'rootfs and image exclude each other' });
    if (s.rootfs !== undefined && s.command === undefined) ctx.addIssue({ code: 'custom', path: ['command'], message: 'a command is required' });
    if (s.rootfs !== undefined && s.entrypoint !== undefined) ctx.addIssue({ code: 'custom', path: ['entrypoint'], message: 'entrypoint needs an image (with rootfs, give the whole command)' });
    checkRestartSpec(s, ctx);
  });

/** What callers may pass; `env` may be either form (the schema's own input type says unknown). */
export type ContainerSpecInput = Omit<z.input<typeof containerSpecSchema>, 'env' | 'seccomp'> & {
  env?: string[] | Record<string, string>;
  seccomp?: SeccompSetting;
};

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
  network: NetworkMode;
  seccomp: SeccompSetting;
  /** 0: unlimited. */
  pidsLimit: number;
  /** stdin kept open for attach (-i). */
  stdin: boolean;
  /** A pseudo-terminal (-t). */
  tty: boolean;
  /** The health check (issue 13); absent or null: none. */
  healthcheck?: HealthConfig | null;
  /** The restart policy and its backoff (absent: no). */
  restart?: RestartSpecFields;
  /** Dependencies (issue 12): the Ids of the containers it requires (`--requires`); absent: none. */
  requires?: string[];
  // ---- storage (issue 11) ----
  /** The image it was made from (the image store's `image rm` reads it); absent for a --rootfs container. */
  image?: { id: string; name: string };
  /** The image's layer dirs on the node, lowest first: the overlay's lower dirs (rootfs is its merged dir). */
  layers?: string[];
  /** USER[:GROUP] of the process ('' or absent: root). */
  user?: string;
  labels?: Record<string, string>;
  /** A read-only root with a tmpfs /tmp; absent: read-only for a --rootfs container (shared trees), writable for an image's. */
  readOnly?: boolean;
  // ---- end storage ----
}

/** The create spec once validated, before defaults (what an image's config is merged under). */
export type ContainerSpecData = z.output<typeof containerSpecSchema>;

/** Validates a create spec; throws EINVAL naming the first bad field. */
export function validateSpec(input: unknown): ContainerSpecData {
  const result = containerSpecSchema.safeParse(input);
  if (!result.success) throw new BerthError('EINVAL', `invalid container spec: ${describeIssues(result.error)}`);
  return result.data;
}

/** Validates and normalises; throws EINVAL naming the first bad field. */
export function parseSpec(input: unknown, fallbackName: string): ContainerSpec {
  return normaliseSpec(validateSpec(input), fallbackName);
}

/** Podman's defaults filled in (an image's config goes in first: storage/image-spec.ts). */
export function normaliseSpec(s: ContainerSpecData, fallbackName: string): ContainerSpec {
  return {
    name: s.name ?? fallbackName,
    rootfs: s.rootfs ?? '',
    command: s.command ?? [],
    env: s.env ?? [],
    workdir: s.workdir ?? '/',
    hostname: s.hostname ?? (s.name ?? fallbackName).slice(0, 63).replace(/[^a-zA-Z0-9.-]/g, '-'),
    stopSignal: s.stopSignal ?? DEFAULT_STOP_SIGNAL,
    stopTimeout: s.stopTimeout ?? DEFAULT_STOP_TIMEOUT,
    node: s.node,
    network: s.network ?? 'none',
    seccomp: s.seccomp ?? 'default',
    pidsLimit: Math.max(0, s.pidsLimit ?? DEFAULT_PIDS_LIMIT),
    stdin: s.stdin ?? false,
    tty: s.tty ?? false,
    ...(s.user ? { user: s.user } : {}),
    ...(s.labels ? { labels: s.labels } : {}),
    ...(s.readOnly !== undefined ? { readOnly: s.readOnly } : {}),
    ...(s.requires?.length ? { requires: [...new Set(s.requires)] } : {}),
    ...restartSpecOf(s),
    ...healthOf(s),
  };
}

/** The spec's health check, normalised (--no-healthcheck wins, as in Podman). */
function healthOf(s: z.output<typeof containerSpecSchema>): { healthcheck?: HealthConfig | null } {
  if (s.noHealthcheck === true || !s.healthcheck) return {};
  try {
    return { healthcheck: normaliseHealthcheck(s.healthcheck) };
  } catch (err) {
    throw new BerthError('EINVAL', `invalid container spec: healthcheck.test: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export { describeIssues };

export function validateName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new BerthError('EINVAL', `invalid name "${name}": names must match ${NAME_PATTERN.source}`);
  }
  return name;
}
