/**
 * oci: the OCI runtime port and its adapters.
 * - types.ts: the `OciRuntime` and `ExitMonitor` interfaces (a thin port, no state logic).
 * - runc.ts: the runc (or crun) adapter; each container runs under its own conmon (conmon.ts), as
 *   Podman runs it, so exit codes and logs survive a worker restart. Files live as layout.ts says.
 * - exit-monitor.ts: reports conmon's exit files, including those written while nobody watched.
 * - bundle.ts: the container's config.json; validate.ts: rootfs and command checks at create time.
 * - seccomp-profile.ts (the profile format) and seccomp.ts (Podman's conversion to linux.seccomp).
 * - rootfs-policy.ts: a rootfs confined to the node's rootfs roots, away from Berth's own files.
 * - signals.ts, k8s-log.ts (conmon's k8s-file log, read as bytes), exit-file.ts, exit-wait.ts (an
 *   exit about to be recorded), runtime-log.ts (runc's errors).
 * - missing.ts (no runtime installed) and fake.ts (in memory, for unit tests).
 * - rootfs.ts: a busybox rootfs for the tests and the demo.
 */
export type { CallOptions, ExitMonitor, ExitReadOptions, ExitRecord, LogFiles, NetworkMode, OciRuntime, RuntimePaths, RuntimeSpec, RuntimeState, RuntimeStatus, SeccompSetting } from './types.js';
export { DEFAULT_PIDS_LIMIT, NETWORK_MODES } from './types.js';
export { RuncRuntime } from './runc.js';
export { DEFAULT_RUNC_OPTIONS, validateRuncOptions, resolveBinary } from './runc-options.js';
export type { RuncOptions, ResolvedRuncOptions } from './runc-options.js';
export { StateLayout } from './layout.js';
export { conmonArgs } from './conmon.js';
export type { SyncMessage } from './conmon.js';
export { ExitDirMonitor } from './exit-monitor.js';
export type { ExitDirMonitorOptions } from './exit-monitor.js';
export { readExitFile } from './exit-file.js';
export { awaitExitFile, conmonRuns } from './exit-wait.js';
export { lastJsonError, lastStderrLine } from './runtime-log.js';
export { buildConfig, cgroupPath, containerEnv, parseHardLimits, readHardLimits, DEFAULT_CAPABILITIES, WANTED_LIMITS } from './bundle.js';
export { DEFAULT_SECCOMP_PROFILE, loadSeccompProfile, nativeArch, parseSeccompProfile, toOciSeccomp } from './seccomp.js';
export type { ConvertOptions, OciSeccomp } from './seccomp.js';
export { seccompProfileSchema } from '../seccomp-profile.js';
export type { SeccompProfile } from '../seccomp-profile.js';
export { checkNotPrivate, checkRootfsRoots, confineRootfs, isWithin, realpathLoose, validateRootfsRoots } from './rootfs-policy.js';
export type { RootfsPolicy } from './rootfs-policy.js';
export type { BuildConfigOptions, HardLimits } from './bundle.js';
export { checkRootfs, resolveCommand, resolveInRootfs, pathOf, DEFAULT_PATH } from './validate.js';
export { parseSignal, SIGNALS } from '../signals.js';
export type { Signal } from '../signals.js';
export { K8sLogParser, parseRecord, MAX_LINE_BYTES } from './k8s-log.js';
export type { LogRecordLine, OutputStream } from './k8s-log.js';
export { MissingRuntime } from './missing.js';
export { FakeRuntime } from './fake.js';
export type { FakeCall, FakeContainer, FakeHold, FakeRuntimeOptions } from './fake.js';
export { ensureBusyboxRootfs, BUSYBOX } from './rootfs.js';
export { binaryVersion, describeBinaries, firstLine } from './versions.js';
export type { BinaryVersion, RuntimeDescription } from './versions.js';
