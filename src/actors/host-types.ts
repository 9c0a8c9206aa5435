/** What a ContainerHost is given (HostOptions) and what it holds while it works on a container (Working). */
import type { ContainerMachine, RestartBackoff } from '../machines/index.js';
import type { OciRuntime } from '../oci/types.js';
import type { ContainerStore } from '../store/containers.js';
import type { LeaseReleases } from '../store/lease-releases.js';
import type { ContainerRecord } from '../store/records.js';
import type { Logger } from '../log.js';
import type { CommandMetrics } from '../telemetry/index.js';
import type { CommandResult } from './commit-step.js';
import type { HeldLease } from './lease.js';
import type { Scheduler } from './pending-effects.js';
import type { ContainerSnapshot } from './snapshot.js';
import type { RuntimeCall } from './step.js';

export interface HostOptions {
  node: string;
  runtime: OciRuntime;
  store: ContainerStore;
  scheduler: Scheduler;
  log: Logger;
  /** Lease duration; renewed every third of it while a container is being worked on. */
  leaseMs: number;
  /** Wakes a waiter when another worker releases a lease (else it waits out the lease). */
  leases?: LeaseReleases;
  /** The machine hosted: the container machine (default), or one built from its setup (tests). */
  machine?: ContainerMachine;
  /** The node's restart backoff (restart policies): a container's spec overrides it, field by field. */
  restartBackoff?: Partial<RestartBackoff>;
  /** Instrumentation: awaited before each runtime call, ahead of its fence check (tracing, tests). */
  beforeCall?: (container: string, call: RuntimeCall) => Promise<void>;
  /** Instrumentation: awaited after a step is committed, before its other effects run (tests). */
  beforeEffects?: (container: string, effects: string[]) => Promise<void>;
  /** The worker's metrics (runtime calls, lease takeovers, restarts, exits), when it serves them. */
  metrics?: CommandMetrics | undefined;
}

export interface Working {
  record: ContainerRecord;
  snapshot: ContainerSnapshot;
  lease: HeldLease;
  epoch: number;
  /** Results committed in this drain, by seq (not read back). */
  results: Map<number, CommandResult>;
  /** The version whose effects this host has run (they stay in the record until the next step). */
  effectsRan: number;
  /** Until when (monotonic ms) the last commit, which extended the lease, fences a runtime call. */
  fencedUntil: number;
  /** The seq this drain applies up to: the step completing it releases the lease with its commit. */
  target: number;
  /** The lease went with the last commit. */
  released: boolean;
}
