/**
 * `client.healthcheckRun(name)` (`berth healthcheck run`): runs the container's health check once,
 * now, on its node, and resolves to the result once the machine has recorded it. Podman's
 * refusals (a container that does not run: "container X is not running"; one without a health
 * check: "container X has no defined healthcheck") are ECTRSTATE, exit 125. The result is the
 * first probe recorded after the request (a timed probe that ends first answers it: it is as
 * recent). It waits on the events stream, never polls.
 */
import { BerthError } from '../errors.js';
import type { Inspect } from '../actors/inspect.js';
import type { HealthLogEntry, HealthStatus } from '../machines/health.js';
import type { ContainerStore } from '../store/containers.js';
import type { EventFeed, TransitionEvent } from '../store/events.js';
import type { Enqueued } from './client-types.js';

export interface HealthcheckResult {
  /** The container's health after the probe. */
  Status: HealthStatus;
  FailingStreak: number;
  /** The probe's own result (ExitCode 0 passed, 1 failed, -1 timed out). */
  Result: HealthLogEntry;
  /** Podman's exit code of `healthcheck run`: 0 healthy, 1 unhealthy or still starting (by the status, as Podman). */
  ExitCode: 0 | 1;
}

/** What it needs of the client. */
export interface HealthcheckDeps {
  readonly store: ContainerStore;
  inspect(name: string): Promise<Inspect>;
  enqueue(name: string, command: 'healthcheck'): Promise<Enqueued>;
  eventFeed(): EventFeed;
}

const refuse = (name: string, why: string) => new BerthError('ECTRSTATE', `container ${name} ${why}`, { container: name, command: 'healthcheck' });

export async function runHealthcheck(c: HealthcheckDeps, name: string): Promise<HealthcheckResult> {
  const before = await c.inspect(name);
  if (before.State.Status !== 'running') throw refuse(name, 'is not running');
  if (!before.State.Health) throw refuse(name, 'has no defined healthcheck');
  const { cursor } = await c.store.readWithCursor(before.Id);
  const queued = await c.enqueue(before.Id, 'healthcheck');
  const asked = await queued.result().catch((err: unknown) => {
    // refused: it stopped or was paused in between
    throw err instanceof BerthError && err.code.startsWith('ECTR') ? refuse(name, 'is not running') : err;
  });
  const ended = (e: TransitionEvent) => e.id === before.Id && (e.command.startsWith('health ') || e.state.State.Status !== 'running');
  const done = await c.eventFeed().waitFor(cursor, (e) => ended(e) && e.version > asked.Version);
  const health = (done.state as unknown as Inspect).State.Health;
  const last = health?.Log.at(-1);
  if (!done.command.startsWith('health ') || !health || !last) throw refuse(name, 'is not running');
  return { Status: health.Status, FailingStreak: health.FailingStreak, Result: last, ExitCode: health.Status === 'healthy' ? 0 : 1 };
}
