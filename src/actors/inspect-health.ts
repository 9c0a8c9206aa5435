/**
 * The health check in the inspect object, with Podman's field names: State.Health {Status,
 * FailingStreak, Log [{Start, End, ExitCode, Output}]} and Config.Healthcheck {Test, Interval,
 * Timeout, StartPeriod, Retries} (durations in nanoseconds, as Podman's JSON), with
 * Config.HealthcheckOnFailureAction. Absent for a container without a health check.
 */
import type { HealthConfig } from '../healthcheck.js';
import type { HealthLogEntry, HealthState, HealthStatus } from '../machines/health.js';

export interface InspectHealth {
  Status: HealthStatus;
  FailingStreak: number;
  Log: HealthLogEntry[];
}

export interface InspectHealthConfig {
  /** Docker's form: ["CMD-SHELL", cmd] or ["CMD", argv...]. */
  Test: string[];
  Interval: number;
  Timeout: number;
  StartPeriod: number;
  Retries: number;
}

export function healthView(h: HealthState | null | undefined): { Health?: InspectHealth } {
  return h ? { Health: { Status: h.status, FailingStreak: h.failingStreak, Log: h.log } } : {};
}

const ns = (ms: number) => ms * 1e6;

export function healthConfigView(c: HealthConfig | null | undefined): { Healthcheck?: InspectHealthConfig; HealthcheckOnFailureAction?: string } {
  if (!c) return {};
  const test = c.shell ? ['CMD-SHELL', c.test[2] ?? ''] : ['CMD', ...c.test];
  return {
    Healthcheck: { Test: test, Interval: ns(c.intervalMs), Timeout: ns(c.timeoutMs), StartPeriod: ns(c.startPeriodMs), Retries: c.retries },
    HealthcheckOnFailureAction: c.onFailure,
  };
}
