/**
 * Restart policies (Podman's `--restart no|on-failure[:N]|always|unless-stopped`) and the
 * backoff between restarts (Kubernetes' CrashLoopBackOff: a first delay doubling to a cap, reset
 * after a run long enough). Pure: the machine's guards and actions, the inspect object and the
 * node's reconcile call these; nothing here does I/O or reads the clock.
 */

export const RESTART_POLICIES = ['no', 'on-failure', 'always', 'unless-stopped'] as const;
export type RestartPolicyName = (typeof RESTART_POLICIES)[number];

/** The durable timer (a delayed `timer.restart`) of a scheduled restart. */
export const RESTART_TIMER = 'restart';

/** The backoff between restarts, in ms: the first delay, its cap, and the run that resets it. */
export interface RestartBackoff {
  initialMs: number;
  maxMs: number;
  resetMs: number;
}

/** Kubernetes' CrashLoopBackOff: 10 s doubling to 5 min, reset after 10 min running. */
export const DEFAULT_RESTART_BACKOFF: Readonly<RestartBackoff> = Object.freeze({ initialMs: 10_000, maxMs: 300_000, resetMs: 600_000 });

/** A container's policy as its spec gave it; the backoff fields override the worker's. */
export interface RestartSpec {
  policy: RestartPolicyName;
  /** on-failure's N: the most restarts (0: no limit, as Podman). */
  retries: number;
  backoff?: Partial<RestartBackoff>;
}

export const NO_RESTART: Readonly<RestartSpec> = Object.freeze({ policy: 'no', retries: 0 });

/** What the decision reads of a container's context. */
export interface RestartState {
  restart?: RestartSpec;
  restartCount: number;
  /** Stopped or killed by a user (stop, kill, restart, rm) since its last init. */
  stoppedByUser?: boolean;
  exitCode: number;
  startedAt: string | null;
  /** Restarts in a row whose run was shorter than the backoff's reset. */
  restartStreak?: number;
  restartScheduled?: boolean;
}

/**
 * Podman's shouldRestart for a process that exited by itself: never after a user's stop or kill;
 * on-failure only for a non-zero exit and while restarts are left; always and unless-stopped
 * whatever the exit.
 */
export function shouldRestart(s: RestartState): boolean {
  const r = s.restart ?? NO_RESTART;
  if (s.stoppedByUser === true || r.policy === 'no') return false;
  if (r.policy === 'on-failure') return s.exitCode !== 0 && (r.retries === 0 || s.restartCount < r.retries);
  return true;
}

/**
 * Whether a container comes back when its node's worker starts again (after a worker restart or a
 * node reboot), as Podman 5.8's should-start-on-boot: `always`, or `unless-stopped` not stopped by
 * a user; only one that has run, is not running now and has no restart scheduled already.
 * The lead calls it for each container of the node after the post-reboot refresh.
 */
export function shouldComeBack(status: string, s: RestartState): boolean {
  if (!(status === 'stopped' || status === 'exited') || s.startedAt === null || s.restartScheduled === true) return false;
  const policy = (s.restart ?? NO_RESTART).policy;
  return policy === 'always' || (policy === 'unless-stopped' && s.stoppedByUser !== true);
}

/** The container's backoff: its spec's fields, else the worker's, else the defaults. */
export function effectiveBackoff(spec: Partial<RestartBackoff> | undefined, worker: Partial<RestartBackoff> | undefined): RestartBackoff {
  return { ...DEFAULT_RESTART_BACKOFF, ...(worker ?? {}), ...(spec ?? {}) };
}

/** The streak after a run from `startedAt` to `finishedAt`: back to 0 after a long enough run. */
export function nextStreak(streak: number, startedAt: string | null, finishedAt: string | null, b: RestartBackoff): number {
  const ran = startedAt && finishedAt ? Date.parse(finishedAt) - Date.parse(startedAt) : Number.NaN;
  return Number.isFinite(ran) && ran >= b.resetMs ? 0 : streak;
}

/** The delay before restart number `streak` (0-based) in a row: initial × 2^streak, capped. */
export function backoffDelay(streak: number, b: RestartBackoff): number {
  return Math.min(b.maxMs, b.initialMs * 2 ** Math.min(streak, 40));
}
