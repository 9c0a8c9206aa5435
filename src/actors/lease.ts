/**
 * A container's lease (invariant 2: one writer per container). Taking it is one round trip that
 * also finds a command applied already, or hands over the record and the pending mailbox entries;
 * while another worker holds it, the taker waits until it is released (a PUBLISH) or expires, and
 * takes over at once from a holder known dead (a killed worker process on this host). While held,
 * it is renewed every third of its duration; when a renewal finds it lost, its signal aborts the
 * runtime calls made under it, which end the runc processes they started.
 */
import { BerthError } from '../errors.js';
import type { Logger } from '../log.js';
import type { BeginResult, ContainerStore } from '../store/containers.js';
import type { LeaseReleases } from '../store/lease-releases.js';
import type { CommandMetrics } from '../telemetry/index.js';
import { holderIdentity, liveness } from './liveness.js';

export interface LeaseOptions {
  store: ContainerStore;
  log: Logger;
  leaseMs: number;
  /** Wakes a waiter when another worker releases a lease (else it waits out the lease). */
  leases?: LeaseReleases | undefined;
  /** Counts the takeovers from dead workers, when the worker serves metrics. */
  metrics?: Pick<CommandMetrics, 'leaseTakeover'> | undefined;
}

export type Taken = Extract<BeginResult, { stored: string }> | Extract<BeginResult, { epoch: number }>;

/** Finds `seq` applied already, or takes the container's lease as `token`. */
export async function takeLease(o: LeaseOptions, id: string, seq: number, token: string): Promise<Taken> {
  let dead = '';
  for (;;) {
    // listen before asking, so a release between the two is not missed
    const released = o.leases?.next(id, o.leaseMs);
    const begun = await o.store.beginDrain(id, token, o.leaseMs, seq, dead);
    if (!('heldMs' in begun)) {
      if (dead && 'epoch' in begun) {
        o.log.warn({ container: id, holder: dead }, 'took over the lease of a dead worker');
        o.metrics?.leaseTakeover();
      }
      return begun;
    }
    if (liveness(holderIdentity(begun.holder)) === 'dead') {
      dead = begun.holder;
      continue;
    }
    // held by a live worker (or one on another host): it releases (and we wake) or the lease expires
    const wait = Math.max(10, Math.min(begun.heldMs, o.leaseMs));
    const expiry = new Promise((r) => setTimeout(r, wait));
    await (released ? Promise.race([released, expiry]) : expiry);
  }
}

/** A lease held: renewed until `stop()`; `signal` aborts when a renewal finds it lost. */
export class HeldLease {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly o: LeaseOptions,
    readonly id: string,
    readonly token: string,
  ) {
    this.timer = setInterval(() => {
      o.store.renewLease(id, token, o.leaseMs).then(
        (held) => {
          if (!held) this.abort(new BerthError('ESTALE', `lease on container ${id} lost: another worker holds it`, { container: id }));
        },
        () => undefined, // Redis away: the commit that follows finds out
      );
    }, Math.max(200, Math.floor(o.leaseMs / 3)));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Aborts the runtime calls made under this lease (lost, or the worker is forced to stop). */
  abort(reason: BerthError): void {
    if (!this.controller.signal.aborted) {
      this.o.log.warn({ container: this.id, reason: reason.message }, 'aborting the runtime calls in flight');
      this.controller.abort(reason);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
