/**
 * A container's health, as its machine keeps it (Podman's State.Health and libpod's
 * updateHealthCheckLog): the policy from the spec's health check, and the status a probe's
 * result moves. A probe's success makes it healthy and clears the streak; a failure during the
 * start period changes nothing (Podman's rule: the status stays `starting`); any other failure
 * adds to the streak, and `retries` failures in a row make it unhealthy. The log keeps the last
 * HEALTH_LOG_KEPT results, their output cut to HEALTH_OUTPUT_MAX characters. Pure: no imports.
 */

/** The durable timer that runs the next probe. */
export const HEALTH_TIMER = 'health';
export const HEALTH_LOG_KEPT = 5;
/** Podman's MaxHealthCheckLogLength. */
export const HEALTH_OUTPUT_MAX = 500;

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';
export type HealthAction = 'none' | 'kill' | 'restart' | 'stop';

/** What the machine needs of the spec's health check (its command stays in the spec). */
export interface HealthPolicy {
  /** 0: no timer (interval "disable"). */
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
  onFailure: HealthAction;
}

/** One probe's result, with Podman's field names. */
export interface HealthLogEntry {
  Start: string;
  End: string;
  /** 0 passed, 1 failed, -1 timed out (Podman's). */
  ExitCode: number;
  Output: string;
}

export interface HealthState {
  status: HealthStatus;
  failingStreak: number;
  log: HealthLogEntry[];
  /** Probes asked for so far; a result names the one it answers. */
  probes: number;
}

/** A probe's result as the Berth-only `health` command carries it. */
export interface ProbeResult {
  /** The run of the container probed: a result for an earlier run changes nothing. */
  run: number;
  probe: number;
  exitCode: number;
  /** Its output (stdout and stderr), as Podman's Log keeps it. */
  text: string;
  start: string;
  end: string;
}

/** The health of a container just started: `starting`, streak 0 (the log is kept, as Podman's). */
export function healthAtStart(before: HealthState | null): HealthState {
  return { status: 'starting', failingStreak: 0, log: before?.log ?? [], probes: before?.probes ?? 0 };
}

/** The health after a probe's result; `startedAt`: the run's start, for the start period. */
export function healthAfter(h: HealthState, policy: HealthPolicy, r: ProbeResult, startedAt: string | null): HealthState {
  const entry: HealthLogEntry = { Start: r.start, End: r.end, ExitCode: r.exitCode, Output: r.text.slice(0, HEALTH_OUTPUT_MAX) };
  const log = [...h.log, entry].slice(-HEALTH_LOG_KEPT);
  if (r.exitCode === 0) return { ...h, log, status: 'healthy', failingStreak: 0 };
  const inStartPeriod = startedAt !== null && Date.parse(r.start) - Date.parse(startedAt) < policy.startPeriodMs;
  if (inStartPeriod) return { ...h, log };
  const failingStreak = h.failingStreak + 1;
  return { ...h, log, failingStreak, status: failingStreak >= policy.retries ? 'unhealthy' : h.status };
}

/** What the health actions read of the machine's context. */
interface HealthContext {
  run: number;
  startedAt: string | null;
  healthcheck: HealthPolicy | null;
  health: HealthState | null;
}

type EventLike = { type: string };
const resultOf = (e: EventLike): ProbeResult | null => (e.type === 'cmd.health' ? (e as EventLike & ProbeResult) : null);

/** The probe timer runs (an interval other than "disable"). */
export const timed = (c: HealthContext): boolean => (c.healthcheck?.intervalMs ?? 0) > 0;
export const probeCounted = (h: HealthState | null): HealthState | null => (h ? { ...h, probes: h.probes + 1 } : null);

/** The health after the event's probe result (unchanged for any other event). */
export function healthRecorded(c: HealthContext, e: EventLike): HealthState | null {
  const r = resultOf(e);
  return r && c.health && c.healthcheck ? healthAfter(c.health, c.healthcheck, r, c.startedAt) : c.health;
}

/** The event is a probe result that leaves the container unhealthy, and its on-failure action is `action`. */
export function unhealthyThen(c: HealthContext, e: EventLike, action: HealthAction): boolean {
  return resultOf(e) !== null && c.healthcheck?.onFailure === action && healthRecorded(c, e)?.status === 'unhealthy';
}
