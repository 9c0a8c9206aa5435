/**
 * Hosts container actors on one node. For each container it takes the lease (fencing epoch),
 * hydrates the persisted snapshot and applies the mailbox's commands strictly in seq order. Each
 * command is: pure step -> commit (CAS on version and epoch) -> effects -> feed result -> commit,
 * until the machine rests. A live actor is never restored with a call in flight: an interrupted
 * call is reconciled against the runtime first (reconcile.ts).
 */
import { randomBytes } from 'node:crypto';
import { BerthError, toBerthError } from '../errors.js';
import { commandRefusal } from './refusal.js';
import { containerMachine, INTERNAL_COMMANDS, type ContainerMachine } from '../machines/index.js';
import type { ContainerRecord } from '../store/records.js';
import { isRuntimeCall, settleCall, type Settled } from './calls.js';
import { refusalCommit, stepCommit, type CommandResult, type Holder } from './commit-step.js';
import { CallsInFlight } from './calls-in-flight.js';
import { criuRefusal } from './checkpoint-precheck.js';
import { parseEntry, toMachineEvent, type MailboxEntry } from './entry.js';
import { HeldLease, takeLease } from './lease.js';
import { processIdentity } from './liveness.js';
import { recordedEffects, runPending, type Scheduler } from './pending-effects.js';
import { hydrateSnapshot, type ContainerSnapshot } from './snapshot.js';
import { commandSpanName, contextFromTraceparent, inChildSpan, inSpan, SPAN, tracing } from '../telemetry/index.js';
import { dependencyRefusal } from './requirements.js';
import { applyBatch } from './batch.js';
import { accepts, positionOf, step, type CallEffect, type Effect, type MachineEventInput, type RuntimeCall } from './step.js';

export type { CommandResult, MailboxEntry, Scheduler };

import type { HostOptions, Working } from './host-types.js';

export type { HostOptions } from './host-types.js';

/** Hydrated snapshots kept by (container, version): hydrating (createActor) costs ~0.7 ms of CPU. */
const SNAPSHOT_CACHE_SIZE = 512;


const IGNORED = new BerthError('EINTERNAL', 'ignored'); // an internal command that no longer applies: acked, no error
const callsOf = (effects: readonly Effect[]): CallEffect[] => effects.filter((e): e is CallEffect => e.kind === 'call');

export class ContainerHost {
  private readonly chains = new Map<string, Promise<unknown>>();
  /** The snapshot of each container's last version this host committed or read, most recent last. */
  private readonly snapshots = new Map<string, { version: number; snapshot: ContainerSnapshot; effectsRan: number }>();
  private readonly token = `${randomBytes(6).toString('hex')}`;
  /** Leases held by drains in progress, for abortAll(). */
  private readonly held = new Set<HeldLease>();

  private readonly machine: ContainerMachine;

  constructor(private readonly o: HostOptions) {
    this.machine = o.machine ?? containerMachine;
  }

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

  /** Aborts every runtime call in flight (a forced shutdown): they are settled by the next worker. */
  abortAll(reason: string): void {
    for (const lease of this.held) lease.abort(new BerthError('ESTALE', `${reason}: container ${lease.id} left to the next worker`, { container: lease.id }));
  }

  /** Applies every queued command of the container up to `seq`; resolves to seq's result. */
  drain(id: string, seq: number): Promise<CommandResult> {
    return this.exclusive(id, async () => {
      const token = `${this.o.node}:${processIdentity()}:${this.token}`;
      const begun = await inChildSpan(SPAN.lease, { attributes: { 'berth.container.id': id, 'berth.seq': seq } }, () => takeLease(this.o, id, seq, token));
      if ('stored' in begun) return JSON.parse(begun.stored) as CommandResult;
      const { record, epoch, entries } = begun;
      const cached = this.snapshots.get(id);
      const hit = cached?.version === record.version ? cached : undefined;
      const lease = new HeldLease(this.o, id, token);
      this.held.add(lease);
      let w: Working | undefined;
      try {
        const load = async () => (hit ? hit.snapshot : hydrateSnapshot(record.snapshot, id, this.machine));
        const snapshot = await inChildSpan(SPAN.snapshotLoad, { attributes: { 'berth.container.id': id, 'berth.version': record.version, 'berth.cached': hit !== undefined } }, load);
        w = { record, snapshot, lease, epoch, results: new Map(), fencedUntil: 0, effectsRan: hit?.effectsRan ?? 0, target: seq, released: false };
        // effects this host ran itself at the last step need not run again
        if (w.effectsRan !== w.record.version) {
          await this.resumeEffects(w.record);
          w.effectsRan = w.record.version;
        }
        await this.finishInterrupted(w);
        while (w.record.applied < seq) {
          const next = w.record.applied + 1;
          const entry = await this.entryAt(id, next, entries.get(next));
          if (entry === null) throw new BerthError('EINTERNAL', `command ${next} of container ${id} is missing from its mailbox`);
          await this.applyOne(w, entry, next);
        }
      } finally {
        lease.stop();
        this.held.delete(lease);
        if (w) {
          this.snapshots.delete(id);
          this.snapshots.set(id, { version: w.record.version, snapshot: w.snapshot, effectsRan: w.effectsRan });
          if (this.snapshots.size > SNAPSHOT_CACHE_SIZE) this.snapshots.delete(this.snapshots.keys().next().value!);
        }
        // not awaited: this process's next command on the connection is ordered after it, and
        // waiters in other workers are woken by its PUBLISH
        if (!w?.released) void this.o.store.releaseLease(id, token).catch(() => undefined);
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

  /** Calls persisted as in flight by a worker that died: each settled from the runtime's view. */
  private async finishInterrupted(w: Working): Promise<void> {
    const calls: CallEffect[] = [];
    for (const child of Object.values(w.snapshot.children) as Array<{ id: string; src: unknown; getSnapshot(): { input?: unknown } }>) {
      if (isRuntimeCall(child.src)) calls.push({ kind: 'call', id: child.id, call: child.src, input: (child.getSnapshot().input ?? {}) as Record<string, unknown> });
    }
    if (calls.length === 0) return;
    const observed = await this.o.runtime.state(w.record.id).catch(() => null);
    const settled = new Map<string, Settled>(calls.map((c) => [c.id, settleCall(c.call, observed)]));
    this.o.log.warn({ container: w.record.id, calls: calls.map((c) => `${c.call}:${settled.get(c.id)?.kind}`), observed: observed?.status ?? 'absent' }, 'settling interrupted runtime calls');
    // the calls belong to the next command of the mailbox: their steps carry that command's job id
    const seq = w.record.applied + 1;
    const found = await this.entryAt(w.record.id, seq);
    const entry = found ?? { command: 'reconcile', container: w.record.id, jobId: '', internal: true };
    await this.run(w, entry, found && found.command !== 'batch' ? seq : 0, calls, settled); // a batch goes on after (batch.ts)
  }

  /** The drain's own command runs in its job's span; any other in its own, child of its producer's. */
  private applyOne(w: Working, entry: MailboxEntry, seq: number): Promise<void> {
    if (seq === w.target && tracing()) return this.applyEntry(w, entry, seq);
    const parent = contextFromTraceparent(typeof entry['traceparent'] === 'string' ? entry['traceparent'] : undefined);
    const attributes = { 'berth.command': entry.command, 'berth.container.id': w.record.id, 'berth.container.name': w.record.name, 'berth.job.id': entry.jobId ?? '', 'berth.seq': seq };
    return inSpan(commandSpanName(entry.command), { attributes, parent }, () => this.applyEntry(w, entry, seq));
  }

  private async applyEntry(w: Working, entry: MailboxEntry, seq: number): Promise<void> {
    const committed = () => this.o.store.jobCommands(w.record.id, entry.jobId ?? '');
    const finish = (e: BerthError | null) => this.refuse(w, seq, e);
    if (entry.command === 'batch') return applyBatch({ applyStep: (st, label) => this.applyEvent(w, st, label, 0), finish, committed }, entry);
    const refused = await this.applyEvent(w, entry, entry, seq);
    if (refused !== null) return this.refuse(w, seq, refused === IGNORED ? null : refused);
  }

  /** Applies `entry`'s event as `label`, completing `seq` at rest (0: a batch step); what refused it or failed its call (nothing committed for a refusal), else null. */
  private async applyEvent(w: Working, entry: MailboxEntry, label: MailboxEntry, seq: number): Promise<BerthError | null> {
    const log = this.o.log.child({ container: w.record.id, name: w.record.name, job: entry.jobId ?? null, command: entry.command });
    const internal = INTERNAL_COMMANDS.has(entry.command) || entry.internal === true;
    let event: MachineEventInput | null;
    try {
      event = toMachineEvent(entry, w.record, this.o.restartBackoff);
    } catch (err) {
      return toBerthError(err, 'EINVAL');
    }
    // checkpoint and restore where CRIU cannot run: refused before the container is touched
    const noCriu = await criuRefusal(this.o.runtime, entry.command, w.record.name);
    if (noCriu) return noCriu;
    const { status } = positionOf(w.snapshot);
    if (event === null || !accepts(w.snapshot, event)) {
      log.debug({ command: entry.command, status }, internal ? 'internal command no longer applies' : 'command refused');
      return internal ? IGNORED : commandRefusal(w.snapshot, w.record.name, entry.command, status);
    }
    const blocked = internal ? null : await dependencyRefusal(this.o.store, w.record, entry.command);
    if (blocked) return blocked;
    const next = step(w.snapshot, event, this.machine);
    const calls = callsOf(next.effects);
    // a step that starts runtime calls is intermediate: the command completes when the machine rests
    await this.commitStep(w, label, next.snapshot, calls.length ? 0 : seq, next.effects, null, Date.now());
    return calls.length ? this.run(w, label, seq, calls) : null;
  }

  /**
   * Runs the calls a step started, side by side, and feeds each result back as it comes, step
   * after step (each step's new calls join them), until the machine rests: no call in flight. A
   * call is committed in flight before it runs; `settled` gives interrupted ones their outcome.
   */
  private async run(w: Working, entry: MailboxEntry, seq: number, first: CallEffect[], settled?: Map<string, Settled>): Promise<BerthError | null> {
    const calls = new CallsInFlight({ runtime: this.o.runtime, signal: w.lease.signal, fence: (call) => this.fence(w, call), record: () => w.record, metrics: this.o.metrics });
    let failure: BerthError | null = null;
    let t0 = Date.now();
    for (const c of first) calls.start(c, settled?.get(c.id));
    try {
      while (calls.size > 0) {
        const done = await calls.next();
        if (done.failure) failure = done.failure;
        const next = step(w.snapshot, done.event, this.machine);
        const started = callsOf(next.effects);
        const before = positionOf(w.snapshot).status;
        const rests = calls.size === 0 && started.length === 0;
        await this.commitStep(w, entry, next.snapshot, rests ? seq : 0, next.effects, failure, t0);
        if (positionOf(next.snapshot).status !== before) t0 = Date.now();
        for (const c of started) calls.start(c);
      }
    } finally {
      calls.abandon();
    }
    return failure;
  }

  /**
   * Fences a runtime call, not only the commit: a worker that lost its lease (frozen, partitioned)
   * must not repeat a call another worker may already have made. A commit moments ago extended the
   * lease and proved it held; a worker frozen since then finds its window passed (the monotonic
   * clock runs on) and asks Redis.
   */
  private async fence(w: Working, call: RuntimeCall): Promise<void> {
    await this.o.beforeCall?.(w.record.id, call);
    if (performance.now() > w.fencedUntil && !(await this.o.store.renewLease(w.record.id, w.lease.token, this.o.leaseMs))) {
      throw new BerthError('ESTALE', `lease on container ${w.record.id} lost before ${call}`, { container: w.record.id });
    }
  }

  private holder(w: Working): Holder {
    return { node: this.o.node, token: w.lease.token, epoch: w.epoch, target: w.target, leaseMs: this.o.leaseMs };
  }

  /** The commit gave the lease back (the drain's last step): it is no longer renewed. */
  private released(w: Working, released: boolean): void {
    w.released = released;
    if (released) w.lease.stop();
  }

  private async refuse(w: Working, seq: number, error: BerthError | null): Promise<void> {
    const { args, result } = refusalCommit(this.holder(w), w.record, w.snapshot, seq, error);
    await this.traceCommit(args.id, args.version, () => this.o.store.commit(args));
    this.released(w, args.release === true);
    w.record = { ...w.record, applied: seq };
    w.results.set(seq, result);
  }

  private async commitStep(w: Working, entry: MailboxEntry, next: ContainerSnapshot, seq: number, effects: Effect[], failure: BerthError | null, t0: number): Promise<void> {
    const c = stepCommit(this.holder(w), { record: w.record, before: w.snapshot, next, entry, seq, effects, failure, ms: Date.now() - t0, at: new Date().toISOString(), machine: this.machine });
    const version = await this.traceCommit(c.args.id, c.args.version, () => this.o.store.commit(c.args));
    const [was, now] = [w.snapshot.context, next.context];
    if (now.restartCount > was.restartCount || (seq && !failure && entry.command === 'restart')) this.o.metrics?.restart();
    if (now.exited && !was.exited) this.o.metrics?.exit(now.exitCode); // the run's end, as committed
    this.released(w, c.args.release === true);
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

  private traceCommit<T>(id: string, version: number, commit: () => Promise<T>): Promise<T> {
    return inChildSpan(SPAN.commit, { attributes: { 'berth.container.id': id, 'berth.version': version + 1 } }, commit);
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
