/**
 * The seccomp profile format of containers-common and Docker (/usr/share/containers/seccomp.json):
 * what `--security-opt seccomp=FILE` reads and a container spec may carry, before it is converted
 * for the node that runs the container (seccomp.ts). Validated with zod, so that a profile that
 * could only fail at `runc create` is refused at create. Not accepted: SCMP_ACT_NOTIFY and
 * `listenerPath` (a notify listener is a socket on the node, which a spec must not name).
 */
import { constants } from 'node:os';
import { z } from 'zod';

export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
] as const;

export const SECCOMP_OPERATORS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'] as const;

/** The filter flags runc 1.1 knows. */
export const SECCOMP_FLAGS = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'] as const;

/** Linux's errno numbers by name (ENOSYS: 38), for profiles that name an errno. */
export function errnoNumber(name: string): number | undefined {
  const errno: Record<string, number> = constants.errno;
  return Object.hasOwn(errno, name) ? errno[name] : undefined;
}

const uint = z.number().int().min(0).max(0xffff_ffff);
const errnoName = z.string().refine((n) => errnoNumber(n) !== undefined, 'unknown errno name');
const arch = z.string().regex(/^SCMP_ARCH_[A-Z0-9_]+$/, 'architectures are SCMP_ARCH_* names').max(32);
const syscallName = z.string().regex(/^[a-z0-9_]+$/, 'syscall names are lowercase letters, digits and _').max(64);
const action = z.enum(SECCOMP_ACTIONS, { error: `actions are ${SECCOMP_ACTIONS.join(', ')}` });

const filter = z.object({
  caps: z.array(z.string().regex(/^CAP_[A-Z_]+$/, 'capabilities are CAP_* names')).max(64).optional(),
  arches: z.array(z.string().max(32)).max(32).optional(),
  minKernel: z.string().max(32).optional(),
});

const arg = z.object({
  index: z.number().int().min(0).max(5),
  value: z.number().int().min(0),
  valueTwo: z.number().int().min(0).optional(),
  op: z.enum(SECCOMP_OPERATORS, { error: `operators are ${SECCOMP_OPERATORS.join(', ')}` }),
});

const syscall = z
  .object({
    name: syscallName.optional(),
    names: z.array(syscallName).max(1024).optional(),
    action,
    args: z.array(arg).max(6).nullable().optional(),
    comment: z.string().max(1024).optional(),
    includes: filter.optional(),
    excludes: filter.optional(),
    errnoRet: uint.optional(),
    errno: errnoName.optional(),
  })
  .refine((s) => (s.name === undefined) !== (s.names === undefined), "a syscall rule has either 'name' or 'names'");

export const seccompProfileSchema = z
  .object({
    defaultAction: action,
    defaultErrnoRet: uint.optional(),
    defaultErrno: errnoName.optional(),
    architectures: z.array(arch).max(32).optional(),
    archMap: z.array(z.object({ architecture: arch, subArchitectures: z.array(arch).max(32) })).max(32).optional(),
    syscalls: z.array(syscall).max(4096).nullable().optional(),
    flags: z.array(z.enum(SECCOMP_FLAGS, { error: `flags are ${SECCOMP_FLAGS.join(', ')}` })).max(3).optional(),
    listenerPath: z.undefined({ error: 'listenerPath is not supported (a notify listener would be a socket on the node)' }).optional(),
    listenerMetadata: z.undefined({ error: 'listenerMetadata is not supported' }).optional(),
  })
  .refine((p) => !(p.architectures?.length && p.archMap?.length), "use either 'architectures' or 'archMap', not both");

export type SeccompProfile = z.infer<typeof seccompProfileSchema>;
