/**
 * A seccomp profile (seccomp-profile.ts) as the OCI config's `linux.seccomp`, converted the way
 * Podman does it (containers/common pkg/seccomp, setupSeccomp): the architectures of the node's
 * entry in `archMap`; a rule is kept only when the node's architecture and the container's
 * bounding capabilities satisfy its `includes` and none of its `excludes`; errno names become
 * numbers. Podman's default is containers-common's profile, read from
 * /usr/share/containers/seccomp.json on the node (Debian: golang-github-containers-common).
 */
import { readFile } from 'node:fs/promises';
import { BerthError } from '../errors.js';
import { describeIssues } from '../spec.js';
import { errnoNumber, seccompProfileSchema, type SeccompProfile } from '../seccomp-profile.js';

/** containers.conf's `seccomp_profile` default. */
export const DEFAULT_SECCOMP_PROFILE = '/usr/share/containers/seccomp.json';

export interface OciSeccompSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: { index: number; value: number; valueTwo: number; op: string }[];
}

export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  syscalls: OciSeccompSyscall[];
}

/** Node's process.arch as libseccomp names the native architecture (the names `arches` filters use). */
const GO_ARCH: Readonly<Record<string, string>> = Object.freeze({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', s390x: 's390x', ppc64: 'ppc64le', riscv64: 'riscv64', loong64: 'loong64', mips64el: 'mipsel64' });

/** libseccomp's native architecture to the profile's `archMap` key (containers/common nativeToSeccomp). */
const ARCH_MAP_KEY: Readonly<Record<string, string>> = Object.freeze({
  amd64: 'SCMP_ARCH_X86_64',
  arm64: 'SCMP_ARCH_AARCH64',
  mips64: 'SCMP_ARCH_MIPS64',
  mips64n32: 'SCMP_ARCH_MIPS64N32',
  mipsel64: 'SCMP_ARCH_MIPSEL64',
  mipsel64n32: 'SCMP_ARCH_MIPSEL64N32',
  s390x: 'SCMP_ARCH_S390X',
});

/** This node's architecture, as libseccomp names it ("amd64" on x86-64). */
export function nativeArch(arch: string = process.arch): string {
  return GO_ARCH[arch] ?? arch;
}

export interface ConvertOptions {
  /** libseccomp's name of the node's architecture (`nativeArch()`). */
  arch: string;
  /** The container's bounding capabilities. */
  capabilities: readonly string[];
}

function errno(name: string | undefined, ret: number | undefined): number | undefined {
  if (name === undefined) return ret;
  const n = /^\d+$/.test(name) ? Number(name) : errnoNumber(name);
  if (n === undefined) throw new BerthError('EINVAL', `seccomp profile: unknown errno ${JSON.stringify(name)}`);
  return n;
}

/** The profile as `linux.seccomp` for a container with these capabilities on this architecture. */
export function toOciSeccomp(profile: SeccompProfile, { arch, capabilities }: ConvertOptions): OciSeccomp {
  const caps = new Set(capabilities);
  const architectures = [...(profile.architectures ?? [])];
  const native = ARCH_MAP_KEY[arch];
  const mapped = profile.archMap?.find((a) => a.architecture === native);
  if (mapped) architectures.push(mapped.architecture, ...mapped.subArchitectures);
  const syscalls: OciSeccompSyscall[] = [];
  for (const rule of profile.syscalls ?? []) {
    const inc = rule.includes ?? {};
    const exc = rule.excludes ?? {};
    if (exc.arches?.includes(arch)) continue;
    if (exc.caps?.some((c) => caps.has(c))) continue;
    if (inc.arches?.length && !inc.arches.includes(arch)) continue;
    if (inc.caps?.some((c) => !caps.has(c))) continue;
    const errnoRet = errno(rule.errno, rule.errnoRet);
    syscalls.push({
      names: rule.name === undefined ? [...(rule.names ?? [])] : [rule.name],
      action: rule.action,
      ...(errnoRet === undefined ? {} : { errnoRet }),
      ...(rule.args?.length ? { args: rule.args.map((a) => ({ index: a.index, value: a.value, valueTwo: a.valueTwo ?? 0, op: a.op })) } : {}),
    });
  }
  const defaultErrnoRet = errno(profile.defaultErrno, profile.defaultErrnoRet);
  return {
    defaultAction: profile.defaultAction,
    ...(defaultErrnoRet === undefined ? {} : { defaultErrnoRet }),
    ...(architectures.length ? { architectures } : {}),
    ...(profile.flags?.length ? { flags: [...profile.flags] } : {}),
    syscalls,
  };
}

/** A profile from its JSON text; EINVAL naming `source` and the first problem. */
export function parseSeccompProfile(text: string, source: string): SeccompProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new BerthError('EINVAL', `seccomp profile ${source} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = seccompProfileSchema.safeParse(raw);
  if (!parsed.success) throw new BerthError('EINVAL', `seccomp profile ${source} is invalid: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Reads a profile file on this machine; a missing default profile is ENORUNTIME with the fix. */
export async function loadSeccompProfile(path: string = DEFAULT_SECCOMP_PROFILE): Promise<SeccompProfile> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    const hint = path === DEFAULT_SECCOMP_PROFILE ? ': apt-get install golang-github-containers-common' : '';
    throw new BerthError(err.code === 'ENOENT' ? 'ENORUNTIME' : 'EINVAL', `cannot read the seccomp profile ${path} (${err.code ?? err.message})${hint}`, { cause: err });
  });
  return parseSeccompProfile(text, path);
}
