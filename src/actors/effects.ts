/**
 * Runs one of the machine's runtime calls, by the call table (calls.ts): the only place where an
 * effect of the statechart touches the runtime. Failures come back as data (RuntimeFailure) to be
 * fed to the machine as xstate.error.actor.<id>; a call cancelled by its signal (the lease was
 * lost, the worker is shutting down) is not the runtime's failure: the signal's reason is thrown,
 * and the call is settled later from what the runtime reports. Each call is a span (`runc start`:
 * the runtime's subcommand, its exit status) and, when the worker serves metrics, a duration.
 */
import { BerthError } from '../errors.js';
import type { EffectOutput, RuntimeFailure } from '../machines/index.js';
import type { OciRuntime } from '../oci/types.js';
import type { ContainerRecord } from '../store/records.js';
import { inChildSpan, runtimeCallSpanName, SpanStatusCode, type CommandMetrics, type Span } from '../telemetry/index.js';
import { CALL_TABLE } from './calls.js';
import type { CallEffect } from './step.js';

export type CallOutcome = { ok: true; output: EffectOutput } | { ok: false; failure: RuntimeFailure; error: BerthError };

export function runCall(runtime: OciRuntime, record: ContainerRecord, effect: CallEffect, signal: AbortSignal, metrics?: CommandMetrics): Promise<CallOutcome> {
  const def = CALL_TABLE[effect.call];
  const attributes = { 'berth.call': effect.call, 'berth.container.id': record.id, 'runc.subcommand': def.subcommand, 'runc.binary': runtime.name };
  return inChildSpan(runtimeCallSpanName(runtime.name, def.subcommand), { attributes }, async (span) => {
    const t0 = performance.now();
    try {
      const output = await def.run({ runtime, record, input: effect.input, signal });
      span.setAttribute('process.exit.code', 0);
      return { ok: true, output };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      // a runtime failure is the runtime's, whatever its errno: never taken for Redis being away
      const error = err instanceof BerthError ? err : new BerthError('EOCI', err instanceof Error ? err.message : String(err), { cause: err });
      failed(span, error);
      return { ok: false, failure: { code: error.code, message: error.message }, error };
    } finally {
      metrics?.runtimeCall(effect.call, (performance.now() - t0) / 1000);
    }
  });
}

/** A failed call's span: ERROR, with the runtime's exit code when it ran and exited (execa's result). */
function failed(span: Span, error: BerthError): void {
  const exitCode = (error.cause as { exitCode?: unknown } | undefined)?.exitCode;
  if (typeof exitCode === 'number') span.setAttribute('process.exit.code', exitCode);
  span.setAttribute('berth.error.code', error.code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}
