/**
 * Runs one of the machine's runtime calls, by the call table (calls.ts): the only place where an
 * effect of the statechart touches the runtime. Failures come back as data (RuntimeFailure) to be
 * fed to the machine as xstate.error.actor.<id>; a call cancelled by its signal (the lease was
 * lost, the worker is shutting down) is not the runtime's failure: the signal's reason is thrown,
 * and the call is settled later from what the runtime reports.
 */
import { BerthError } from '../errors.js';
import type { EffectOutput, RuntimeFailure } from '../machines/index.js';
import type { OciRuntime } from '../oci/types.js';
import type { ContainerRecord } from '../store/records.js';
import { CALL_TABLE } from './calls.js';
import type { CallEffect } from './step.js';

export type CallOutcome = { ok: true; output: EffectOutput } | { ok: false; failure: RuntimeFailure; error: BerthError };

export async function runCall(runtime: OciRuntime, record: ContainerRecord, effect: CallEffect, signal: AbortSignal): Promise<CallOutcome> {
  try {
    const output = await CALL_TABLE[effect.call].run({ runtime, record, input: effect.input, signal });
    return { ok: true, output };
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    // a runtime failure is the runtime's, whatever its errno: never taken for Redis being away
    const error = err instanceof BerthError ? err : new BerthError('EOCI', err instanceof Error ? err.message : String(err), { cause: err });
    return { ok: false, failure: { code: error.code, message: error.message }, error };
  }
}
