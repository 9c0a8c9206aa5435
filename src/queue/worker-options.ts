/**
 * A node worker's options: defaults first (DEFAULT_WORKER_OPTIONS), then the caller's, then one
 * validation that names the option and its bound; derived defaults (the rootfs roots) last.
 */
import { BerthError } from '../errors.js';
import type { Logger } from '../log.js';
import { validateRootfsRoots } from '../oci/rootfs-policy.js';
import type { ImageResolver } from '../images/types.js';
import type { ExecExitMonitor, ExitMonitor, OciRuntime } from '../oci/types.js';
import { berthVersion } from './berth-version.js';
import { readBootId } from '../actors/refresh-node.js';
import { validateMetricsServerOptions, type MetricsServerOptions } from '../telemetry/index.js';

export interface WorkerOptions {
  redis: string;
  prefix?: string;
  node: string;
  labels?: Record<string, string>;
  concurrency?: number;
  runtime: OciRuntime;
  monitor: ExitMonitor;
  /** The exec sessions' exit monitor; default: the runc runtime's own (ExecDirMonitor), none for others. */
  execMonitor?: ExecExitMonitor;
  log: Logger;
  /** Container lease; renewed while held. */
  leaseMs?: number;
  heartbeatMs?: number;
  /** A node whose heartbeat is older than this is lost. */
  lostAfterMs?: number;
  /** BullMQ job lock: a crashed worker's job is re-run after about this long. */
  lockDurationMs?: number;
  /** Berth's version, registered with the node (default: this package's). */
  version?: string;
  /** How long close() lets in-flight commands finish before it stops waiting for them. */
  shutdownMs?: number;
  /**
   * Lines of output each container's stream keeps in Redis (about: Redis trims whole blocks of
   * 100, oldest first); a line longer than 1 MiB counts once per MiB.
   */
  logMaxLines?: number;
  /**
   * The directories a container's rootfs must be, or be inside (after resolving symlinks); never
   * `/`, and none may hold the runtime's state or Redis's data. Default: the runtime's rootfs dir
   * (`<state dir>/rootfs` for runc), none for a runtime without one.
   */
  rootfsRoots?: readonly string[];
  /** The host's boot id (default: /proc/sys/kernel/random/boot_id); injectable for tests of the post-reboot refresh. */
  bootId?: () => Promise<string>;
  /**
   * The node's images, for containers created from one (`create IMAGE`); default none: such a
   * create fails with "images are not available on this node" (the image store implements it).
   */
  images?: ImageResolver;
  /** The bound on one artifact of a container (`berth artifact add`), bytes; default 1 MiB. */
  artifactMaxBytes?: number;
  /**
   * The restart policies' backoff on this node, ms (a container's spec overrides each): the first
   * delay (default: BERTH_RESTART_BACKOFF_MS, else 10 s), its cap (5 min) and the run that resets it (10 min).
   */
  restartBackoffMs?: number;
  restartBackoffMaxMs?: number;
  restartBackoffResetMs?: number;
  /** Instrumentation: awaited before each runtime call (see HostOptions.beforeCall). */
  beforeCall?: (container: string, call: string) => Promise<void>;
  /** Instrumentation: awaited before a committed step's other effects run (HostOptions.beforeEffects). */
  beforeEffects?: (container: string, effects: string[]) => Promise<void>;
  /** Serve Prometheus metrics at http://<metricsHost>:<metricsPort>/metrics (0: a free port); default none. */
  metricsPort?: number;
  /** Default 127.0.0.1. */
  metricsHost?: string;
}

export const DEFAULT_WORKER_OPTIONS = Object.freeze({
  concurrency: 8,
  leaseMs: 5000,
  heartbeatMs: 2000,
  lostAfterMs: 10_000,
  lockDurationMs: 4000,
  shutdownMs: 30_000,
  logMaxLines: 10_000,
  artifactMaxBytes: 1024 * 1024,
  restartBackoffMs: 10_000,
  restartBackoffMaxMs: 300_000,
  restartBackoffResetMs: 600_000,
});

/** BERTH_RESTART_BACKOFF_MS, the first restart delay, when set (validated with the options). */
function envBackoff(): { restartBackoffMs?: number } {
  const raw = process.env['BERTH_RESTART_BACKOFF_MS'];
  return raw === undefined || raw === '' ? {} : { restartBackoffMs: /^\d+$/.test(raw) ? Number(raw) : Number.NaN };
}


type Validated = Required<Omit<WorkerOptions, 'prefix' | 'execMonitor' | 'images' | 'metricsPort' | 'metricsHost'>> & {
  prefix: string | undefined;
  execMonitor?: ExecExitMonitor;
  images?: ImageResolver;
  metrics?: Required<MetricsServerOptions>;
};

export function validateWorkerOptions(o: WorkerOptions): Validated {
  const merged = { ...DEFAULT_WORKER_OPTIONS, labels: {}, version: berthVersion(), beforeCall: async () => {}, beforeEffects: async () => {}, bootId: readBootId, ...envBackoff(), ...o };
  for (const key of ['concurrency', 'leaseMs', 'heartbeatMs', 'lostAfterMs', 'lockDurationMs', 'shutdownMs', 'logMaxLines', 'artifactMaxBytes', 'restartBackoffMs', 'restartBackoffMaxMs', 'restartBackoffResetMs'] as const) {
    const v = merged[key];
    if (!Number.isInteger(v) || v <= 0) {
      throw new BerthError('EINVAL', `\`${key}\` must be a positive integer, got ${String(v)} (${typeof v})`);
    }
  }
  if (merged.heartbeatMs >= merged.lostAfterMs) {
    throw new BerthError('EINVAL', `\`heartbeatMs\` (${merged.heartbeatMs}) must be below \`lostAfterMs\` (${merged.lostAfterMs})`);
  }
  // derived default last: the runtime says where root filesystems go
  const runtimeRootfs = o.runtime.paths.rootfs;
  const rootfsRoots = validateRootfsRoots(o.rootfsRoots ?? (runtimeRootfs === undefined ? [] : [runtimeRootfs]));
  const metrics = o.metricsPort === undefined ? undefined : validateMetricsServerOptions({ port: o.metricsPort, ...(o.metricsHost === undefined ? {} : { host: o.metricsHost }) });
  return { ...merged, rootfsRoots, prefix: o.prefix, ...(metrics ? { metrics } : {}) };
}

