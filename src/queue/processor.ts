/**
 * The job processor of a node's queue: validates a job against the contract, gives a foreign
 * producer's command its mailbox place (once: a re-run finds it), creates or drains, and answers
 * with the inspect object or a coded failure. Transient trouble (Redis away, the lease elsewhere)
 * never fails a job: it is moved back to delayed (jobs.ts retryLater).
 */
import { randomBytes } from 'node:crypto';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { createContainer, type NodeStorage } from '../actors/create.js';
import type { CommandResult } from '../actors/commit-step.js';
import type { ContainerHost } from '../actors/host.js';
import type { Inspect } from '../actors/inspect.js';
import { BerthError, toBerthError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RootfsPolicy } from '../oci/rootfs-policy.js';
import { ID_PATTERN } from '../spec.js';
import type { ContainerStore } from '../store/containers.js';
import { commandIds } from '../store/keys.js';
import { encodeFailure, INTERNAL_COMMANDS, parseJobCommand } from './contract.js';
import { isTransient, retryLater, seqJobId } from './jobs.js';
import { commandSpanName, contextFromTraceparent, inSpan, SpanKind, type CommandMetrics } from '../telemetry/index.js';
import { fireTimer } from './timer-job.js';
import { DEFAULT_ARTIFACT_MAX_BYTES, STORAGE_JOB, type StorageResult } from '../storage/ops.js';
import { runStorageOp } from './storage-jobs.js';

export interface ProcessorOptions {
  node: string;
  /** The node queue's name, for the command ids of foreign producers' jobs. */
  queue: string;
  store: ContainerStore;
  host: ContainerHost;
  log: Logger;
  /** Where a new container's rootfs may be on this node. */
  rootfs: RootfsPolicy;
  /** The node's images and container storage, for creates from an image. */
  storage?: NodeStorage;
  /** The bound on one artifact (storage jobs). */
  artifactMaxBytes?: number;
  /** The worker's metrics, when it serves them. */
  metrics?: CommandMetrics | undefined;
}

/** The job's `traceparent` when it is a string (the contract validates it when the command is parsed). */
const traceparentOf = (data: unknown): string | undefined => {
  const t = typeof data === 'object' && data !== null ? (data as { traceparent?: unknown }).traceparent : undefined;
  return typeof t === 'string' ? t : undefined;
};

export class JobProcessor {
  constructor(private readonly o: ProcessorOptions) {}

  /**
   * A command job. One with a seq only wakes the drain of mailbox entry `seq`, which Berth's own
   * producers placed (the client, the router, the waker at shutdown): it is honoured only under the
   * job id they give it, and what is applied is the entry, never the job's data. One without a seq
   * is a producer's command: a user command only (internal ones come from Berth's workers alone),
   * validated and placed once (its re-runs find that place).
   */
  private async command(job: Job): Promise<CommandResult> {
    const data = (typeof job.data === 'object' && job.data !== null ? job.data : {}) as Record<string, unknown>;
    const cmd = parseJobCommand({ command: job.name, ...data });
    if (cmd.seq !== undefined) {
      // it names its container by Id; it may be applied (even removed) by now, so a retried job
      // must not look the Id up among the live containers
      const id = cmd.container ?? '';
      if (!ID_PATTERN.test(id) || job.id !== seqJobId(id, cmd.seq)) {
        throw new BerthError('EINVAL', 'a job with a seq only wakes a command Berth placed, under the id Berth gives it (<container Id>-<seq>)');
      }
      return cmd.command === 'create' ? createContainer(this.o.store, this.o.node, id, cmd.seq, job.id, this.o.rootfs, this.o.storage) : this.o.host.drain(id, cmd.seq);
    }
    if (INTERNAL_COMMANDS.has(cmd.command)) throw new BerthError('EINVAL', `"${cmd.command}" is internal to Berth: only its own workers queue it`);
    const commandId = commandIds.job(this.o.queue, job.id);
    if (cmd.command === 'create') {
      const id = cmd.container ?? randomBytes(32).toString('hex');
      // kept in the job first, so that a re-run (a stall, a transient failure) creates the same container
      if (cmd.container === undefined) await job.updateData({ ...data, container: id });
      const entry = { command: 'create', container: id, spec: cmd.spec, jobId: job.id };
      const seq = await this.o.store.enqueue(id, JSON.stringify(entry), { create: { name: cmd.spec.name ?? '' }, commandId });
      return createContainer(this.o.store, this.o.node, id, seq, job.id ?? '', this.o.rootfs, this.o.storage);
    }
    const id = await this.o.store.resolve(cmd.container);
    const seq = await this.o.store.enqueue(id, JSON.stringify({ ...cmd, container: id, jobId: job.id }), { commandId });
    return this.o.host.drain(id, seq);
  }

  private named(target: unknown, applied: Inspect | undefined): Promise<{ container?: string; name?: string }> {
    return named(this.o.store, target, applied);
  }

  /**
   * A job in its command's span (`containerStart`, …), child of the producer's span when the job
   * carries its `traceparent`; counted and timed in the metrics when it ends (not when it is only
   * moved back to be retried).
   */
  process(job: Job, token?: string): Promise<Inspect | StorageResult> {
    const t0 = performance.now();
    const attributes = { 'berth.command': job.name, 'berth.job.id': job.id ?? '', 'berth.node': this.o.node, 'messaging.destination.name': this.o.queue };
    return inSpan(commandSpanName(job.name), { kind: SpanKind.CONSUMER, attributes, parent: contextFromTraceparent(traceparentOf(job.data)) }, async () => {
      try {
        const inspect = await this.processJob(job, token);
        this.o.metrics?.commandDone(job.name, 'ok', (performance.now() - t0) / 1000);
        return inspect;
      } catch (err) {
        if (!(err instanceof DelayedError)) this.o.metrics?.commandDone(job.name, failureCode(err), (performance.now() - t0) / 1000);
        throw err;
      }
    });
  }

  private async processJob(job: Job, token?: string): Promise<Inspect | StorageResult> {
    const target = typeof job.data === 'object' && job.data !== null ? (job.data as { container?: unknown }).container : undefined;
    let log = this.o.log.child({ job: job.id ?? null, command: job.name, ...(typeof target === 'string' ? { container: target } : {}) });
    let applied: Inspect | undefined;
    try {
      // storage jobs (mount, unmount, size, artifacts) leave the machine as it is: answered here
      if (job.name === STORAGE_JOB) return await runStorageOp({ store: this.o.store, keys: this.o.store.keys, node: this.o.node, dir: this.o.storage?.dir, artifactMaxBytes: this.o.artifactMaxBytes ?? DEFAULT_ARTIFACT_MAX_BYTES }, job.data);
      // a timer's own job has no seq; a job with one only wakes a mailbox entry, a fired timer's too
      const seq = typeof job.data === 'object' && job.data !== null ? (job.data as { seq?: unknown }).seq : undefined;
      const result = job.name === 'timer' && seq === undefined ? await fireTimer(job, token, this.o) : await this.command(job);
      applied = result.inspect;
      log.debug({ container: result.inspect.Id, name: result.inspect.Name, ok: result.ok }, 'command applied');
      if (!result.ok && result.error) throw BerthError.fromJSON(result.error);
      return result.inspect;
    } catch (err) {
      if (err instanceof DelayedError) throw err; // moved, not failed (a timer not due yet)
      const e = toBerthError(err);
      log = log.child(await this.named(target, applied));
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

/** The container a failure line is about, by Id and name, as far as it is known. */
async function named(store: ContainerStore, target: unknown, applied: Inspect | undefined): Promise<{ container?: string; name?: string }> {
  if (applied) return { container: applied.Id, name: applied.Name };
  if (typeof target !== 'string') return {};
  if (!ID_PATTERN.test(target)) return { name: target }; // a producer named it
  const record = await store.get(target).catch(() => null);
  return record ? { container: record.id, name: record.name } : { container: target };
}

/** The code a failed job's metric is labelled with: the BerthError's (from its failedReason), else EINTERNAL. */
function failureCode(err: unknown): string {
  if (err instanceof UnrecoverableError) return /^([A-Z]+): /.exec(err.message)?.[1] ?? 'EINTERNAL';
  return toBerthError(err).code;
}
