/**
 * How a job ended, from its queue's QueueEvents, or from the job itself if it ended before they
 * listened. BullMQ's own job.waitUntilFinished reads the job inside an async Promise executor, so
 * a read that fails while Redis is away is an unhandled rejection, which ends the process (seen
 * under chaos): here the read is retried until Redis answers or an event has come.
 */
import type { EventEmitter } from 'node:events';
import type { Queue, QueueEvents } from 'bullmq';
import { isConnectionError, toBerthError } from '../errors.js';

export type JobOutcome = { ok: true; value: unknown } | { ok: false; reason: string };

export function jobOutcome(queue: Queue, events: QueueEvents, id: string): Promise<JobOutcome> {
  // QueueEvents emits `completed:<id>` and `failed:<id>` per job; its typings list only the general events
  const perJob = events as unknown as EventEmitter;
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: JobOutcome) => {
      if (settled) return;
      settled = true;
      perJob.off(`completed:${id}`, onCompleted);
      perJob.off(`failed:${id}`, onFailed);
      resolve(o);
    };
    const onCompleted = (a: { returnvalue: unknown }) => done({ ok: true, value: a.returnvalue });
    const onFailed = (a: { failedReason: string }) => done({ ok: false, reason: a.failedReason });
    perJob.on(`completed:${id}`, onCompleted);
    perJob.on(`failed:${id}`, onFailed);
    void (async () => {
      for (let attempt = 0; !settled; attempt++) {
        try {
          await events.waitUntilReady();
          const state = await queue.getJobState(id);
          if (state !== 'completed' && state !== 'failed') return; // the events will tell
          const ended = await queue.getJob(id);
          if (ended && state === 'completed') done({ ok: true, value: ended.returnvalue });
          else if (ended) done({ ok: false, reason: ended.failedReason });
          return;
        } catch (err) {
          if (!isConnectionError(err)) return done({ ok: false, reason: toBerthError(err).message });
          await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        }
      }
    })();
  });
}
