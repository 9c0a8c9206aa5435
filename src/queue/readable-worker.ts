/**
 * A BullMQ Worker that survives a job it cannot read. BullMQ parses a job's data with JSON.parse
 * when it takes the job; a producer that writes the job's hash by hand (any language,
 * HSET) can store something else, and the parse error then escapes BullMQ's loop, leaving the job
 * active until it stalls, again and again: a queue whose concurrency is 1 (`entry`) is wedged. This
 * worker reads such a job with empty data, marked with a symbol no JSON can carry, and
 * fails it at once with a clear reason, so the queue goes on.
 */
import { UnrecoverableError, Worker, type Job, type JobJson, type Processor, type WorkerOptions } from 'bullmq';

const UNREADABLE = Symbol('berth.unreadable');

type Marked = { [UNREADABLE]?: string };

function isJson(text: unknown): boolean {
  if (typeof text !== 'string' || text === '') return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Runs `processor` on readable jobs; an unreadable one fails with `EINVAL: <why>`, never retried. */
export function readableOnly<R>(processor: (job: Job, token?: string) => Promise<R>): Processor {
  return async (job, token) => {
    const why = (job.data as Marked | null)?.[UNREADABLE];
    if (why !== undefined) throw new UnrecoverableError(`EINVAL: ${why}`);
    return processor(job, token);
  };
}

export class ReadableWorker extends Worker {
  constructor(name: string, processor: (job: Job, token?: string) => Promise<unknown>, opts: WorkerOptions) {
    super(name, readableOnly(processor), opts);
  }

  protected override createJob(data: JobJson, jobId: string): Job {
    try {
      return super.createJob(data, jobId);
    } catch (err) {
      if (isJson(data.data)) throw err;
      const job = super.createJob({ ...data, data: '{}' }, jobId);
      job.data = { [UNREADABLE]: "the job's data is not JSON" } as Marked;
      return job;
    }
  }
}
