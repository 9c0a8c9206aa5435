/**
 * The job processor of a node's queue: validates a job against the contract, gives a foreign
 * producer's command its mailbox place (once: a re-run finds it), creates or drains, and answers
 * with the inspect object or a coded failure. Transient trouble (Redis away, the lease elsewhere)
 * never fails a job: it is moved back to delayed (jobs.ts retryLater).
 */
import { randomBytes } from 'node:crypto';
import { UnrecoverableError, type Job } from 'bullmq';
import { createContainer } from '../actors/create.js';
import type { CommandResult } from '../actors/commit-step.js';
import type { ContainerHost } from '../actors/host.js';
import type { Inspect } from '../actors/inspect.js';
import { BerthError, toBerthError } from '../errors.js';
import type { Logger } from '../log.js';
import { ID_PATTERN } from '../spec.js';
import type { ContainerStore } from '../store/containers.js';
import { encodeFailure, parseJobCommand } from './contract.js';
import { isTransient, retryLater } from './jobs.js';

export interface ProcessorOptions {
  node: string;
  /** The node queue's name, for the command ids of foreign producers' jobs. */
  queue: string;
  store: ContainerStore;
  host: ContainerHost;
  log: Logger;
}

export class JobProcessor {
  constructor(private readonly o: ProcessorOptions) {}

  async process(job: Job, token?: string): Promise<Inspect> {
    const log = this.o.log.child({ job: job.id ?? null });
    try {
      const data = (typeof job.data === 'object' && job.data !== null ? job.data : {}) as Record<string, unknown>;
      const cmd = parseJobCommand({ command: job.name, ...data });
      let result: CommandResult;
      if (cmd.command === 'create') {
        const id = cmd.container ?? randomBytes(32).toString('hex');
        // kept in the job first, so that a re-run (a stall, a transient failure) creates the same container
        if (cmd.container === undefined) await job.updateData({ ...data, container: id });
        const seq =
          cmd.seq ??
          (await this.o.store.enqueue(id, JSON.stringify({ command: 'create', container: id, spec: cmd.spec, jobId: job.id }), {
            create: { name: cmd.spec.name ?? '' },
            commandId: `job-${this.o.queue}-${job.id}`,
          }));
        result = await createContainer(this.o.store, this.o.node, id, seq, job.id ?? '');
      } else {
        // a command Berth placed names its container by Id; it may be applied (even removed) by now,
        // so a retried job must not look the Id up among the live containers
        const id = cmd.seq !== undefined && ID_PATTERN.test(cmd.container) ? cmd.container : await this.o.store.resolve(cmd.container);
        // a job without a seq (a foreign producer's, a fired timer) is placed once: its re-runs find that place
        const seq =
          cmd.seq ?? (await this.o.store.enqueue(id, JSON.stringify({ ...cmd, container: id, jobId: job.id }), { commandId: `job-${this.o.queue}-${job.id}` }));
        result = await this.o.host.drain(id, seq);
      }
      log.debug({ container: result.inspect.Id, command: cmd.command, ok: result.ok }, 'command applied');
      if (!result.ok && result.error) throw BerthError.fromJSON(result.error);
      return result.inspect;
    } catch (err) {
      const e = toBerthError(err);
      if (isTransient(e)) {
        log.info({ code: e.code, msg: e.message }, 'command not applied yet; retrying its job');
        return retryLater(job, token, e);
      }
      if (e.code === 'EUNAVAIL') throw e; // no live node, say: BullMQ's own attempts, then the failure
      log.info({ code: e.code, msg: e.message }, 'command failed');
      throw new UnrecoverableError(encodeFailure(e));
    }
  }
}
