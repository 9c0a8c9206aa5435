/**
 * A durable timer's job firing on its node's queue. The job is only a wake-up: what the timer
 * delivers and when it is due are what Berth committed in the container's record
 * (actors/timers.ts), so a job anyone else added fires nothing early and nothing Berth did not
 * schedule. A timer that is due becomes an internal mailbox entry, applied in order with the
 * container's commands; one replaced or cancelled since is acknowledged and changes nothing; one
 * not yet due waits until it is.
 */
import { DelayedError, type Job } from 'bullmq';
import { z } from 'zod';
import type { CommandResult } from '../actors/commit-step.js';
import type { ContainerHost } from '../actors/host.js';
import { inspectFrom } from '../actors/inspect.js';
import { BerthError, noSuchContainer } from '../errors.js';
import { describeIssues, ID_PATTERN } from '../spec.js';
import type { ContainerStore } from '../store/containers.js';
import { commandIds, timerJobId } from '../store/keys.js';

const timerJobSchema = z.object({
  container: z.string().regex(ID_PATTERN, 'a timer names its container by Id'),
  timer: z.string().min(1).max(100),
  v: z.number().int().positive(),
});

export async function fireTimer(job: Job, token: string | undefined, o: { store: ContainerStore; host: ContainerHost; queue: string }): Promise<CommandResult> {
  const parsed = timerJobSchema.safeParse(job.data);
  if (!parsed.success) throw new BerthError('EINVAL', `invalid timer job: ${describeIssues(parsed.error)}`);
  const { container: id, timer, v } = parsed.data;
  if (job.id !== timerJobId(id, timer, v)) throw new BerthError('EINVAL', 'a timer job travels only under the id Berth schedules it with');
  const record = await o.store.get(id);
  if (!record) throw noSuchContainer(id);
  const pending = Object.hasOwn(record.timers, timer) ? record.timers[timer] : undefined;
  // replaced, cancelled or fired already: nothing to deliver
  if (pending?.v !== v) return { ok: true, ignored: true, inspect: inspectFrom(record) };
  if (Date.now() < pending.due) {
    if (!token) throw new BerthError('EINVAL', `timer ${timer} of container ${id} is not due yet`, { container: id });
    await job.moveToDelayed(pending.due, token);
    throw new DelayedError(`timer ${timer} is due at ${new Date(pending.due).toISOString()}`);
  }
  const entry = { command: 'timer', container: id, timer, v, jobId: job.id, internal: true };
  const seq = await o.store.enqueue(id, JSON.stringify(entry), { commandId: commandIds.job(o.queue, job.id) });
  return o.host.drain(id, seq);
}
