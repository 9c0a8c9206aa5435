/**
 * The runtime calls of one container in flight at once (a main-process call beside an exec
 * session's or a probe's, where the machine's states allow): each is fenced and run by the call
 * table, and `next()` hands back whichever finishes first, as the event to feed the machine.
 * Calls settled from the runtime's view after a crash (calls.ts) finish at once without running.
 * `abandon()` aborts whatever is still running, which ends the runc processes it started.
 */
import type { BerthError } from '../errors.js';
import { events } from '../machines/index.js';
import type { OciRuntime } from '../oci/types.js';
import type { ContainerRecord } from '../store/records.js';
import type { Settled } from './calls.js';
import { runCall } from './effects.js';
import type { CommandMetrics } from '../telemetry/index.js';
import type { CallEffect, MachineEventInput, RuntimeCall } from './step.js';

export interface CallsInFlightOptions {
  runtime: OciRuntime;
  /** Aborts every call (the lease was lost, the worker is forced to stop). */
  signal: AbortSignal;
  /** Awaited before a call runs; throws when it must not (the lease is lost). */
  fence(call: RuntimeCall): Promise<void>;
  /** The container's record as of now (it changes with each commit). */
  record(): ContainerRecord;
  /** The worker's metrics (each call's duration), when it serves them. */
  metrics?: CommandMetrics | undefined;
}

export interface CallDone {
  id: string;
  /** xstate.done.actor.<id> or xstate.error.actor.<id>. */
  event: MachineEventInput;
  /** The runtime's failure, for the command's result. */
  failure: BerthError | null;
}

export class CallsInFlight {
  private readonly pending = new Map<string, Promise<CallDone>>();
  private readonly controller = new AbortController();
  private readonly signal: AbortSignal;

  constructor(private readonly o: CallsInFlightOptions) {
    this.signal = AbortSignal.any([o.signal, this.controller.signal]);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Starts a call; one `settled` as done after a crash finishes at once, without running. */
  start(call: CallEffect, settled?: Settled): void {
    const p = settled?.kind === 'done' ? Promise.resolve(doneWithPid(call.id, settled.pid)) : this.invoke(call);
    p.catch(() => undefined); // a failure reaches the caller through next(), or nobody (abandoned)
    this.pending.set(call.id, p);
  }

  /** The next call to finish; rejects when one could not run (fenced, aborted). */
  async next(): Promise<CallDone> {
    const done = await Promise.race(this.pending.values());
    this.pending.delete(done.id);
    return done;
  }

  /** Aborts the calls still running: nobody will feed their results. */
  abandon(): void {
    if (this.pending.size > 0) this.controller.abort(new Error('abandoned: the drain ended before this call'));
    this.pending.clear();
  }

  private async invoke(call: CallEffect): Promise<CallDone> {
    await this.o.fence(call.call);
    const outcome = await runCall(this.o.runtime, this.o.record(), call, this.signal, this.o.metrics);
    if (outcome.ok) return { id: call.id, event: events.done(call.id, outcome.output) as MachineEventInput, failure: null };
    return { id: call.id, event: events.failed(call.id, outcome.failure) as MachineEventInput, failure: outcome.error };
  }
}

function doneWithPid(id: string, pid: number | undefined): CallDone {
  const output = pid ? { pid, at: new Date().toISOString() } : {};
  return { id, event: events.done(id, output) as MachineEventInput, failure: null };
}
