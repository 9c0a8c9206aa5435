/**
 * Runs the machine's named runtime calls against an OciRuntime: the only place where an effect
 * of the statechart touches the runtime. Failures come back as data (RuntimeFailure) to be fed to
 * the machine as xstate.error.actor.<id>.
 */
import { BerthError } from '../errors.js';
import type { EffectOutput, RuntimeFailure } from '../machines/index.js';
import type { OciRuntime, RuntimeSpec } from '../oci/types.js';
import type { ContainerRecord } from '../store/records.js';
import type { Effect } from './step.js';

export function runtimeSpecOf(record: ContainerRecord, run: number): RuntimeSpec {
  return {
    run,
    id: record.id,
    rootfs: record.spec.rootfs,
    command: record.spec.command,
    env: record.spec.env,
    workdir: record.spec.workdir,
    hostname: record.spec.hostname,
    stopSignal: record.spec.stopSignal,
  };
}

export type CallOutcome = { ok: true; output: EffectOutput } | { ok: false; failure: RuntimeFailure; error: BerthError };

export async function runCall(
  runtime: OciRuntime,
  record: ContainerRecord,
  effect: Extract<Effect, { kind: 'call' }>,
): Promise<CallOutcome> {
  const id = record.id;
  try {
    switch (effect.call) {
      case 'ociCreate': {
        // the machine names the run it creates: that run's exit is reported with its number
        const { pid } = await runtime.create(runtimeSpecOf(record, Number(effect.input['run'] ?? 1)));
        return { ok: true, output: { pid } };
      }
      case 'ociStart': {
        // the pid is known since create (conmon's sync message); no `runc state` needed
        await runtime.start(id);
        return { ok: true, output: { at: new Date().toISOString() } };
      }
      case 'ociKill':
        await runtime.kill(id, String(effect.input['signal'] ?? 'SIGKILL'));
        return { ok: true, output: {} };
      case 'ociPause':
        await runtime.pause(id);
        return { ok: true, output: {} };
      case 'ociResume':
        await runtime.resume(id);
        return { ok: true, output: {} };
      case 'ociDelete':
        await runtime.delete(id, { force: effect.input['force'] === true });
        await runtime.clearExit(id);
        return { ok: true, output: {} };
      case 'ociRemove':
        await runtime.delete(id, { force: true });
        await runtime.purge(id);
        return { ok: true, output: {} };
    }
  } catch (err) {
    // a runtime failure is the runtime's, whatever its errno: never taken for Redis being away
    const error = err instanceof BerthError ? err : new BerthError('EOCI', err instanceof Error ? err.message : String(err), { cause: err });
    return { ok: false, failure: { code: error.code, message: error.message }, error };
  }
}
