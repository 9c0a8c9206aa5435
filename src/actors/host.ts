/**
 * Hosts container actors on one node. For each container it takes the lease (fencing epoch),
 * hydrates the persisted snapshot and applies the mailbox's commands strictly in seq order. Each
 * command is: pure step -> commit (CAS on version and epoch) -> effects -> feed result -> commit,
 * until the machine rests. A live actor is never restored with a call in flight: an interrupted
 * call is reconciled against the runtime first (reconcile.ts).
 */
import { randomBytes } from 'node:crypto';
import { BerthError, stateError, toBerthError } from '../errors.js';
import { events as ev, INTERNAL_COMMANDS } from '../machines/index.js';
import type { OciRuntime } from '../oci/types.js';
import type { ContainerStore } from '../store/containers.js';
import type { LeaseReleases } from '../store/lease-releases.js';
import type { ContainerRecord } from '../store/records.js';
import type { Logger } from '../log.js';
import { refusalCommit, stepCommit, type CommandResult, type Holder } from './commit-step.js';
import { runCall } from './effects.js';
import { parseEntry, toMachineEvent, type MailboxEntry } from './entry.js';
import { holderIdentity, liveness, processIdentity } from './liveness.js';
import { recordedEffects, runPending, type Scheduler } from './pending-effects.js';
import { reconcileCall } from './reconcile.js';
import { hydrateSnapshot, type ContainerSnapshot } from './snapshot.js';
import { accepts, positionOf, step, type Effect, type MachineEventInput, type RuntimeCall } from './step.js';

export type { CommandResult, MailboxEntry, Scheduler };

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
  /** Instrumentation: awaited before each runtime call, ahead of its fence check (tracing, tests). */
  beforeCall?: (container: string, call: RuntimeCall) => Promise<void>;
  /** Instrumentation: awaited after a step is committed, before its other effects run (tests). */
  beforeEffects?: (container: string, effects: string[]) => Promise<void>;
}

interface Working {
  record: ContainerRecord;
  snapshot: ContainerSnapshot;
  token: string;
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

/** Hydrated snapshots kept by (container, version): hydrating (createActor) costs ~0.7 ms of CPU. */
const SNAPSHOT_CACHE_SIZE = 512;

export class ContainerHost {
  private readonly chains = new Map<string, Promise<unknown>>();
  /** The snapshot of each container's last version this host committed or read, most recent last. */
  private readonly snapshots = new Map<string, { version: number; snapshot: ContainerSnapshot; effectsRan: number }>();
  private readonly token = `${randomBytes(6).toString('hex')}`;

  constructor(private readonly o: HostOptions) {}

  /** Serialises work per container inside this process. */
  private exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.chains.set(id, tail);
    void tail.then(() => {
      if (this.chains.get(id) === tail) this.chains.delete(id);
    });
    return run;
  }

  /** Applies every queued command of the container up to `seq`; resolves to seq's result. */
  drain(id: string, seq: number): Promise<CommandResult> {
    return this.exclusive(id, async () => {
      const begun = await this.take(id, seq);
      if ('stored' in begun) return begun.stored;
      const { w, entries } = begun;
      // effects this host ran itself at the last step need not run again
      if (w.effectsRan !== w.record.version) {
        await this.resumeEffects(w.record);
        w.effectsRan = w.record.version;
      }
      const renew = setInterval(() => {
        void this.o.store.renewLease(id, w.token, this.o.leaseMs).catch(() => undefined);
      }, Math.max(200, Math.floor(this.o.leaseMs / 3)));
      try {
        await this.finishInterrupted(w);
        while (w.record.applied < seq) {
          const next = w.record.applied + 1;
          const entry = await this.entryAt(id, next, entries.get(next));
          if (entry === null) throw new BerthError('EINTERNAL', `command ${next} of container ${id} is missing from its mailbox`);
          await this.applyOne(w, entry, next);
        }
      } finally {
        this.snapshots.delete(id);
        this.snapshots.set(id, { version: w.record.version, snapshot: w.snapshot, effectsRan: w.effectsRan });
        if (this.snapshots.size > SNAPSHOT_CACHE_SIZE) this.snapshots.delete(this.snapshots.keys().next().value!);
        clearInterval(renew);
        // not awaited: this process's next command on the connection is ordered after it, and
        // waiters in other workers are woken by its PUBLISH
        if (!w.released) void this.o.store.releaseLease(id, w.token).catch(() => undefined);
      }
      const result = w.results.get(seq) ?? (await this.storedResult(id, seq));
      if (!result) throw new BerthError('EINTERNAL', `no result stored for command ${seq} of container ${id}`);
      return result;
    });
  }

  /** Mailbox entry `seq` (given, or read), with the job id every producer of Berth's uses for it. */
  private async entryAt(id: string, seq: number, raw?: string): Promise<MailboxEntry | null> {
    const text = raw ?? (await this.o.store.mailboxEntry(id, seq));
    return text === null ? null : parseEntry(id, seq, text);
  }

  private async storedResult(id: string, seq: number): Promise<CommandResult | null> {
    const raw = await this.o.store.result(id, seq);
    return raw === null ? null : (JSON.parse(raw) as CommandResult);
  }

  /**
   * Finds `seq` applied already, or takes the lease. While another worker holds it, waits until it
   * is released or expires; a holder known dead (a killed worker process on this host) is taken
   * over at once.
   */
  private async take(id: string, seq: number): Promise<{ stored: CommandResult } | { w: Working; entries: Map<number, string> }> {
    const token = `${this.o.node}:${processIdentity()}:${this.token}`;
    let dead = '';
    for (;;) {
      // listen before asking, so a release between the two is not missed
      const released = this.o.leases?.next(id, this.o.leaseMs);
      const begun = await this.o.store.beginDrain(id, token, this.o.leaseMs, seq, dead);
      if ('stored' in begun) return { stored: JSON.parse(begun.stored) as CommandResult };
      if ('epoch' in begun) {
        if (dead) this.o.log.warn({ container: id, holder: dead }, 'took over the lease of a dead worker');
        const { record, epoch, entries } = begun;
        const cached = this.snapshots.get(id);
        const hit = cached?.version === record.version ? cached : undefined;
        const snapshot = hit ? hit.snapshot : hydrateSnapshot(record.snapshot, id);
        return { w: { record, snapshot, token, epoch, results: new Map(), fencedUntil: 0, effectsRan: hit?.effectsRan ?? 0, target: seq, released: false }, entries };
      }
      if (liveness(holderIdentity(begun.holder)) === 'dead') {
        dead = begun.holder;
        continue;
      }
      // held by a live worker (or one on another host): it releases (and we wake) or the lease expires
      const wait = Math.max(10, Math.min(begun.heldMs, this.o.leaseMs));
      const expiry = new Promise((r) => setTimeout(r, wait));
      await (released ? Promise.race([released, expiry]) : expiry);
    }
  }

  /** A call persisted as in flight by a worker that died: settle it from the runtime's view. */
  private async finishInterrupted(w: Working): Promise<void> {
    const child = Object.values(w.snapshot.children)[0] as
      | { id: string; src: unknown; getSnapshot(): { input?: unknown } }
      | undefined;
    if (!child || typeof child.src !== 'string') return;
    const call = child.src as RuntimeCall;
    const observed = await this.o.runtime.state(w.record.id).catch(() => null);
    const decision = reconcileCall(call, observed);
    this.o.log.warn({ container: w.record.id, call, observed: observed?.status ?? 'absent', decision: decision.kind }, 'reconciling an interrupted runtime call');
    // the call belongs to the next command of the mailbox: its steps carry that command's job id
    const seq = w.record.applied + 1;
    const found = await this.entryAt(w.record.id, seq);
    const entry = found ?? { command: 'reconcile', container: w.record.id, jobId: '', internal: true };
    const first: Effect = { kind: 'call', id: child.id, call, input: (child.getSnapshot().input ?? {}) as Record<string, unknown> };
    await this.run(w, entry, found ? seq : 0, first, decision.kind === 'done' ? { pid: decision.pid } : undefined);
  }

  private async applyOne(w: Working, entry: MailboxEntry, seq: number): Promise<void> {
    const log = this.o.log.child({ container: w.record.id, job: entry.jobId ?? null });
    const internal = INTERNAL_COMMANDS.has(entry.command) || entry.internal === true;
    let event: MachineEventInput;
    try {
      event = toMachineEvent(entry, w.record);
    } catch (err) {
      return this.refuse(w, seq, toBerthError(err, 'EINVAL'));
    }
    const { status } = positionOf(w.snapshot);
    if (!accepts(w.snapshot, event)) {
      log.debug({ command: entry.command, status }, internal ? 'internal command no longer applies' : 'command refused');
      return this.refuse(w, seq, internal ? null : stateError(w.record.name, entry.command, status));
    }
    const next = step(w.snapshot, event);
    const call = next.effects.find((e): e is Extract<Effect, { kind: 'call' }> => e.kind === 'call');
    // a step that starts a runtime call is intermediate: the command completes when the machine rests
    await this.commitStep(w, entry, next.snapshot, call ? 0 : seq, next.effects, null, Date.now());
    if (call) await this.run(w, entry, seq, call);
  }

  /** Runs a call and feeds its result back, step after step, until the machine rests. */
  private async run(w: Working, entry: MailboxEntry, seq: number, first: Extract<Effect, { kind: 'call' }>, settled?: { pid?: number }): Promise<void> {
    let call: Extract<Effect, { kind: 'call' }> | undefined = first;
    let failure: BerthError | null = null;
    let t0 = Date.now();
    let useSettled = settled;
    while (call) {
      let fed: MachineEventInput;
      if (useSettled) {
        fed = ev.done(call.id, useSettled.pid ? { pid: useSettled.pid, at: new Date().toISOString() } : {}) as MachineEventInput;
        useSettled = undefined;
      } else {
        await this.o.beforeCall?.(w.record.id, call.call);
        // fence the effect, not only the commit: a worker that lost its lease (frozen, partitioned)
        // must not repeat a runtime call another worker may already have made
        // a commit moments ago extended the lease and proved it held; a worker frozen since then
        // finds its window passed (the monotonic clock runs on) and asks Redis
        if (performance.now() > w.fencedUntil && !(await this.o.store.renewLease(w.record.id, w.token, this.o.leaseMs))) {
          throw new BerthError('ESTALE', `lease on container ${w.record.id} lost before ${call.call}`, { container: w.record.id });
        }
        const outcome = await runCall(this.o.runtime, w.record, call);
        if (outcome.ok) fed = ev.done(call.id, outcome.output) as MachineEventInput;
        else {
          failure = outcome.error;
          fed = ev.failed(call.id, outcome.failure) as MachineEventInput;
        }
      }
      const next = step(w.snapshot, fed);
      call = next.effects.find((e): e is Extract<Effect, { kind: 'call' }> => e.kind === 'call');
      const before = positionOf(w.snapshot).status;
      await this.commitStep(w, entry, next.snapshot, call ? 0 : seq, next.effects, failure, t0);
      if (positionOf(next.snapshot).status !== before) t0 = Date.now();
    }
  }

  private holder(w: Working): Holder {
    return { node: this.o.node, token: w.token, epoch: w.epoch, target: w.target, leaseMs: this.o.leaseMs };
  }

  private async refuse(w: Working, seq: number, error: BerthError | null): Promise<void> {
    const { args, result } = refusalCommit(this.holder(w), w.record, w.snapshot, seq, error);
    await this.o.store.commit(args);
    w.released = args.release === true;
    w.record = { ...w.record, applied: seq };
    w.results.set(seq, result);
  }

  private async commitStep(w: Working, entry: MailboxEntry, next: ContainerSnapshot, seq: number, effects: Effect[], failure: BerthError | null, t0: number): Promise<void> {
    const c = stepCommit(this.holder(w), { record: w.record, before: w.snapshot, next, entry, seq, effects, failure, ms: Date.now() - t0, at: new Date().toISOString() });
    const version = await this.o.store.commit(c.args);
    w.released = c.args.release === true;
    w.fencedUntil = performance.now() + this.o.leaseMs / 3;
    w.record = { ...c.record, version, effects: '' };
    w.snapshot = next;
    if (seq) w.results.set(seq, c.result);
    if (c.pending) {
      await this.o.beforeEffects?.(w.record.id, c.pending.effects.map((e) => e.kind));
      await runPending(this.o.scheduler, w.record.id, c.pending);
      w.effectsRan = version;
    }
    if (c.clearExit) await this.o.runtime.clearExit(w.record.id).catch(() => undefined);
  }

  /**
   * Runs the effects a worker committed but may not have run (it died in between). They are
   * idempotent, so running them twice is harmless; no lease is needed.
   */
  async resumeEffects(record: ContainerRecord): Promise<void> {
    const p = recordedEffects(record);
    if (!p) return;
    this.o.log.debug({ container: record.id, effects: p.effects.map((e) => e.kind) }, 'resuming the effects of the last step');
    await runPending(this.o.scheduler, record.id, p);
  }
}
