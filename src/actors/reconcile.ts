/**
 * Invariant 4: a transition interrupted midway (its worker died after persisting the transient
 * state, before the call's result was committed) is reconciled against what the runtime reports,
 * never blindly re-run. Given the call that was in flight and `runc state`, decide whether the
 * call took effect (feed its done event) or must run again (it had no effect).
 */
import type { RuntimeState } from '../oci/types.js';
import type { RuntimeCall } from './step.js';

export type Reconciled = { kind: 'done'; pid?: number } | { kind: 'rerun' };

export function reconcileCall(call: RuntimeCall, observed: RuntimeState | null): Reconciled {
  const status = observed?.status ?? 'absent';
  const pid = observed?.pid ?? 0;
  switch (call) {
    case 'ociCreate':
      return status === 'absent' ? { kind: 'rerun' } : { kind: 'done', pid };
    case 'ociStart':
      return status === 'created' || status === 'absent' ? { kind: 'rerun' } : { kind: 'done', pid };
    case 'ociPause':
      return status === 'running' ? { kind: 'rerun' } : { kind: 'done' };
    case 'ociResume':
      return status === 'paused' ? { kind: 'rerun' } : { kind: 'done' };
    case 'ociDelete':
      return status === 'absent' ? { kind: 'done' } : { kind: 'rerun' };
    case 'ociKill':
      // a signal to a process that is gone has nothing left to do
      return status === 'running' || status === 'paused' || status === 'created' ? { kind: 'rerun' } : { kind: 'done' };
    case 'ociRemove':
      return { kind: 'rerun' };
  }
}
