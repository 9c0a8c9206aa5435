/**
 * The OCI bundle's config.json, built from the container spec (pure; `readHardLimits` is the one
 * read of the host). What it chooses, and why (shared/notes/oci-monitoring.md §6):
 * - a read-only rootfs, so several containers can share one busybox tree, with a tmpfs on /tmp;
 *   an image container's root is its own overlay: writable (no tmpfs /tmp) unless --read-only;
 * - Podman's default capability set, noNewPrivileges, uid 0;
 * - rlimits at Podman's defaults but capped at the worker's hard limits: root here lacks
 *   CAP_SYS_RESOURCE, so asking for more fails `runc create` ("error setting rlimit type 7");
 * - pid, ipc, uts, mount and cgroup namespaces, and a network namespace with only loopback (runc
 *   brings `lo` up: 127.0.0.1/8 and ::1, nothing else) unless the spec asks for the host's network;
 * - a cgroup of its own, /berth/<id> in every hierarchy (absolute, as Podman's /libpod_parent/libpod-<id>:
 *   relative paths land under the worker's cgroup, where cgroup v2 forbids controllers beside
 *   processes), with Podman's pids limit;
 * - Podman's default seccomp profile (containers-common's, converted in seccomp.ts), a profile of
 *   the spec's own, or none when the spec says `unconfined`.
 */
import { readFile } from 'node:fs/promises';
import { BerthError } from '../errors.js';
import { toOciSeccomp, type OciSeccomp } from './seccomp.js';
import type { SeccompProfile } from '../seccomp-profile.js';
import { DEFAULT_PIDS_LIMIT, type RuntimeSpec } from './types.js';
import { DEFAULT_PATH } from './validate.js';

export interface HardLimits {
  nofile: number;
  nproc: number;
}

export interface BuildConfigOptions {
  /** The worker's hard limits (`readHardLimits()`); rlimits are never set above them. */
  hardLimits: HardLimits;
  /** The node's default seccomp profile (`loadSeccompProfile()`); needed when the spec's seccomp is `default`. */
  seccompProfile: SeccompProfile | undefined;
  /** libseccomp's name of the node's architecture (`nativeArch()`). */
  arch: string;
  /** The process's user, resolved in the rootfs (exec-user.ts); default root. */
  user?: { uid: number; gid: number; additionalGids: number[] };
}

/** Where a container's cgroup is, in every hierarchy (runc's cgroupfs driver). */
export function cgroupPath(id: string): string {
  return `/berth/${id}`;
}

/** Podman's default rlimits (containers.conf), before capping. */
export const WANTED_LIMITS: Readonly<HardLimits> = Object.freeze({ nofile: 1_048_576, nproc: 32_768 });

/** Podman's default capabilities (containers.conf `default_capabilities`). */
export const DEFAULT_CAPABILITIES: readonly string[] = Object.freeze([
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP',
  'CAP_SETGID',
  'CAP_SETPCAP',
  'CAP_SETUID',
  'CAP_SYS_CHROOT',
]);

/** What `runc spec` masks and makes read-only. */
const MASKED_PATHS = ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

const MOUNTS = [
  { destination: '/proc', type: 'proc', source: 'proc' },
  { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
  { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
  { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
  { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
  { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777'] },
];

/** Hard limits from the text of /proc/<pid>/limits ("unlimited" becomes MAX_SAFE_INTEGER). */
export function parseHardLimits(text: string): HardLimits {
  const hard = (label: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(label));
    const value = line?.slice(label.length).trim().split(/\s+/)[1];
    if (value === 'unlimited') return Number.MAX_SAFE_INTEGER;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`cannot read the hard limit "${label}" from /proc/self/limits`);
    return n;
  };
  return { nofile: hard('Max open files'), nproc: hard('Max processes') };
}

/** This process's hard NOFILE and NPROC limits, which the container cannot exceed. */
export async function readHardLimits(): Promise<HardLimits> {
  return parseHardLimits(await readFile('/proc/self/limits', 'utf8'));
}

/** The environment Podman gives: PATH first when absent, then HOSTNAME and TERM when absent. */
export function containerEnv(spec: Pick<RuntimeSpec, 'env' | 'hostname'>): string[] {
  const has = (key: string) => spec.env.some((e) => e.startsWith(`${key}=`));
  return [
    ...(has('PATH') ? [] : [`PATH=${DEFAULT_PATH}`]),
    ...spec.env,
    ...(has('HOSTNAME') ? [] : [`HOSTNAME=${spec.hostname}`]),
    ...(has('TERM') ? [] : ['TERM=xterm']),
  ];
}

/** The spec's seccomp setting as `linux.seccomp`; undefined for `unconfined`. */
function seccompOf(spec: RuntimeSpec, o: BuildConfigOptions, caps: readonly string[]): OciSeccomp | undefined {
  const setting = spec.seccomp ?? 'default';
  if (setting === 'unconfined') return undefined;
  const profile = setting === 'default' ? o.seccompProfile : setting;
  if (!profile) throw new BerthError('EINTERNAL', `no default seccomp profile was loaded for container ${spec.id}`, { container: spec.id });
  return toOciSeccomp(profile, { arch: o.arch, capabilities: caps });
}

export function buildConfig(spec: RuntimeSpec, o: BuildConfigOptions): Record<string, unknown> {
  const nofile = Math.min(WANTED_LIMITS.nofile, o.hardLimits.nofile);
  const nproc = Math.min(WANTED_LIMITS.nproc, o.hardLimits.nproc);
  const caps = [...DEFAULT_CAPABILITIES];
  const seccomp = seccompOf(spec, o, caps);
  const pidsLimit = spec.pidsLimit ?? DEFAULT_PIDS_LIMIT;
  const readOnly = spec.readOnly ?? true;
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: spec.tty === true,
      user: o.user ? { uid: o.user.uid, gid: o.user.gid, ...(o.user.additionalGids.length ? { additionalGids: o.user.additionalGids } : {}) } : { uid: 0, gid: 0 },
      args: [...spec.command],
      env: containerEnv(spec),
      cwd: spec.workdir,
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: [
        { type: 'RLIMIT_NOFILE', hard: nofile, soft: nofile },
        { type: 'RLIMIT_NPROC', hard: nproc, soft: nproc },
      ],
      noNewPrivileges: true,
    },
    root: { path: spec.rootfs, readonly: readOnly },
    hostname: spec.hostname,
    // a writable root (an image container's) keeps its own /tmp, as Podman's
    mounts: structuredClone(readOnly ? MOUNTS : MOUNTS.filter((m) => m.destination !== '/tmp')),
    linux: {
      cgroupsPath: cgroupPath(spec.id),
      resources: {
        devices: [{ allow: false, access: 'rwm' }],
        ...(pidsLimit > 0 ? { pids: { limit: pidsLimit } } : {}),
      },
      namespaces: [
        { type: 'pid' },
        ...(spec.network === 'host' ? [] : [{ type: 'network' }]),
        { type: 'ipc' },
        { type: 'uts' },
        { type: 'mount' },
        { type: 'cgroup' },
      ],
      ...(seccomp ? { seccomp } : {}),
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
    },
  };
}
