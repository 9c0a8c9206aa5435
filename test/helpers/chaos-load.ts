/**
 * The chaos load (chaos.ts): one driver per container, each a sequential user of the TS client
 * that mixes awaited commands (create, start, stop -t 0 / -t 1, restart, pause, unpause, kill,
 * rm -f, wait) with bursts of queued ones (enqueue), with random pauses between. Every call is
 * recorded with what the client answered. A tap on the client's store records each mailbox entry
 * the client made: its seq (so its job id) and arguments, credited to the call whose async chain
 * made it (AsyncLocalStorage), which joins awaited calls (they return no job id) to the history. An awaited call unsettled after `boundMs` while the load runs is
 * recorded as stuck; when the load stops, calls still in flight are left to settle (or not).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { BerthClient, EnqueueArgs } from '../../src/queue/client.js';
import type { Inspect } from '../../src/actors/inspect.js';
import { BerthError } from '../../src/errors.js';
import type { CommandName } from '../../src/machines/index.js';
import { seqJobId } from '../../src/queue/jobs.js';

/** A trap container exits with this code on SIGTERM; a deaf one ignores SIGTERM (PID 1, no handler). */
export const TERM_CODE = 3;
const TRAP = ['sh', '-c', `trap "exit ${TERM_CODE}" TERM; while :; do sleep 3600 & wait $!; done`];
const DEAF = ['sh', '-c', 'while :; do sleep 3600 & wait $!; done'];

/** A mailbox entry this client made. */
export interface Issued {
  jobId: string;
  id: string;
  name: string;
  command: string;
  args: EnqueueArgs;
}

export interface Call {
  name: string;
  command: string;
  args: EnqueueArgs;
  queued: boolean;
  /** The mailbox entries this call made (from the tap). */
  jobIds: string[];
  /** Acknowledged: resolved (awaited), or its enqueue returned a job id (queued). */
  acked: boolean;
  /** The call's rejection (awaited) or its result's (queued); `berth` is false for anything else than a BerthError. */
  error: { code: string; message: string; berth: boolean } | null;
  /** The final answer came: the call's (awaited), its result's (queued). */
  settled: boolean;
  /** What a resolved awaited call answered: the status it left, or wait's exit code. */
  answer?: string;
  at: number;
  ms: number;
}

export interface LoadLog {
  calls: Call[];
  issued: Map<string, Issued>;
  /** Awaited calls not settled within the bound while the load ran, with what Berth showed then. */
  stuck: { id: string; why: string }[];
  /** name -> deaf (ignores SIGTERM) or not */
  deaf: Map<string, boolean>;
  /** job id -> Berth's stored result, read when the call settled (Berth keeps only the last 200). */
  results: Map<string, string>;
  /** The longest a settled call took, ms. */
  slowest: number;
}

export interface LoadOptions {
  containers: number;
  nodes: string[];
  rootfs: string;
  boundMs: number;
  random: () => number;
}

type Step = { command: CommandName; args: EnqueueArgs };
const s = (command: CommandName, args: EnqueueArgs = {}): Step => ({ command, args });
const [start, pause, unpause] = [s('start'), s('pause'), s('unpause')];
const [stop0, stop1, restart0, restart1] = [s('stop', { timeout: 0 }), s('stop', { timeout: 1 }), s('restart', { timeout: 0 }), s('restart', { timeout: 1 })];
const [kill9, kill15, rmf] = [s('kill', { signal: 'SIGKILL' }), s('kill', { signal: 'SIGTERM' }), s('remove', { force: true, timeout: 0 })];
const IDLE = ['configured', 'created', 'stopped', 'exited'];
const fit = (status: string) => (IDLE.includes(status) ? 'idle' : status);
/** Queued bursts that fit the believed state (the state may have moved on: refusals are fine). */
const BURSTS: Record<string, Step[][]> = {
  running: [[pause, unpause], [stop0, start], [kill9, start], [restart1], [stop1, kill15], [kill15, start], [pause, kill9, unpause, start], [restart0, pause, unpause]],
  paused: [[unpause], [unpause, stop0, start], [kill9, unpause], [kill15, unpause]],
  idle: [[start], [restart0], [start, pause, unpause], [start, stop1]],
  stopping: [[kill9], [stop0, start]],
};
const SINGLES: Record<string, Step[]> = {
  running: [stop0, stop1, restart0, restart1, pause, kill9, kill15],
  paused: [unpause, kill9],
  idle: [start, restart1],
  stopping: [kill9, stop0],
  removing: [rmf],
};
const ANY = [start, stop0, stop1, pause, unpause, kill9, kill15, restart0];

interface Driver {
  name: string;
  node: string;
  deaf: boolean;
  /** What the driver believes: the last status it was told, '?' after a burst, 'removed' before create. */
  status: string;
  /** Queued commands whose result has not come. */
  outstanding: number;
}

export class Load {
  readonly log: LoadLog = { calls: [], issued: new Map(), stuck: [], deaf: new Map(), results: new Map(), slowest: 0 };
  /** The call a mailbox entry the tap sees was made for. */
  private readonly calling = new AsyncLocalStorage<Call>();
  private readonly drivers: Driver[];

  constructor(
    private readonly client: BerthClient,
    private readonly o: LoadOptions,
  ) {
    this.drivers = Array.from({ length: o.containers }, (_, i) => ({ name: `c${i}`, node: o.nodes[i % o.nodes.length]!, deaf: i % 4 >= 2, status: 'removed', outstanding: 0 }));
    for (const d of this.drivers) this.log.deaf.set(d.name, d.deaf);
    this.tap();
  }

  /** Creates every container (before the chaos starts). */
  async createAll(signal: AbortSignal): Promise<void> {
    await Promise.all(this.drivers.map((d) => this.create(d, signal)));
  }

  /** Drives every container until `signal` aborts; resolves once each driver has ended its action. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(
      this.drivers.map(async (d) => {
        while (!signal.aborted) {
          await this.act(d, signal);
          await delay(30 + this.o.random() * 300, undefined, { signal }).catch(() => undefined);
        }
      }),
    );
  }

  private tap(): void {
    const enqueue = this.client.store.enqueue.bind(this.client.store);
    this.client.store.enqueue = async (id, command, opts) => {
      const call = this.calling.getStore();
      const seq = await enqueue(id, command, opts);
      const entry = JSON.parse(command) as EnqueueArgs & { command: string };
      const jobId = seqJobId(id, seq);
      if (seq > 0 && !this.log.issued.has(jobId)) {
        this.log.issued.set(jobId, { jobId, id, name: call?.name ?? '?', command: entry.command, args: { timeout: entry.timeout, signal: entry.signal, force: entry.force } });
        call?.jobIds.push(jobId);
      }
      return seq;
    };
  }

  private async act(d: Driver, signal: AbortSignal): Promise<void> {
    const r = this.o.random;
    if (d.status === 'removed') return this.create(d, signal);
    if (d.status === '?' || d.status === 'unknown') return this.refresh(d, signal);
    const roll = r();
    const pick = <T>(xs: T[] | undefined): T | undefined => (xs && xs.length ? xs[Math.floor(r() * xs.length)] : undefined);
    if (roll < 0.03) return this.awaited(d, rmf, signal);
    // stop with a grace period, SIGTERM during it, and wait: only when the state is known
    if (roll < 0.12 && d.status === 'running' && d.outstanding === 0) return this.stopTermWait(d, signal);
    const burst = pick(BURSTS[fit(d.status)]);
    if (roll < 0.5 && burst) {
      for (const step of burst) if (!(await this.queued(d, step, signal))) break;
      d.status = '?';
      return;
    }
    const step = roll < 0.58 ? pick(ANY) : pick(SINGLES[fit(d.status)]);
    return step ? this.awaited(d, step, signal) : this.refresh(d, signal);
  }

  private async create(d: Driver, signal: AbortSignal): Promise<void> {
    const spec = { name: d.name, rootfs: this.o.rootfs, command: d.deaf ? DEAF : TRAP, node: d.node, stopTimeout: 1 };
    const { value: made } = await this.record(d, 'create', {}, false, signal, () => this.client.create(spec));
    if (made) d.status = made.State.Status;
    else await this.refresh(d, signal); // a create not confirmed may have been applied
  }

  private async refresh(d: Driver, signal: AbortSignal): Promise<void> {
    const seen = this.client.inspect(d.name).then(
      (c) => c.State.Status,
      (err: unknown) => (err instanceof BerthError && err.code === 'ENOCTR' ? 'removed' : '?'),
    );
    const got = await within(seen, this.o.boundMs, signal);
    d.status = typeof got === 'string' ? '?' : got.value;
  }

  private async awaited(d: Driver, step: Step, signal: AbortSignal): Promise<void> {
    const c = this.client;
    const { timeout, signal: sig, force } = step.args;
    const run: Record<string, () => Promise<Inspect>> = {
      start: () => c.start(d.name),
      stop: () => c.stop(d.name, { timeout: timeout ?? 0 }),
      restart: () => c.restart(d.name, { timeout: timeout ?? 0 }),
      pause: () => c.pause(d.name),
      unpause: () => c.unpause(d.name),
      kill: () => c.kill(d.name, { signal: sig ?? 'SIGKILL' }),
      remove: () => c.remove(d.name, { force: force === true }),
    };
    const fn = run[step.command];
    if (!fn) throw new Error(`chaos load: no awaited form of ${step.command}`);
    const { value: after } = await this.record(d, step.command, step.args, false, signal, fn);
    d.status = after?.State.Status ?? '?';
  }

  /** Queues one command; resolves to false when the enqueue failed. */
  private async queued(d: Driver, step: Step, signal: AbortSignal): Promise<boolean> {
    const { call, value: q } = await this.record(d, step.command, step.args, true, signal, () => this.client.enqueue(d.name, step.command, step.args));
    if (!q) return false;
    d.outstanding++;
    void q
      .result()
      .then(
        () => this.settle(call, null),
        (err: unknown) => this.settle(call, err),
      )
      .finally(() => d.outstanding--);
    return true;
  }

  /** stop -t 1 and kill -s SIGTERM queued, then wait: the stop's deadline must still end it. */
  private async stopTermWait(d: Driver, signal: AbortSignal): Promise<void> {
    if (!(await this.queued(d, stop1, signal)) || !(await this.queued(d, kill15, signal))) return;
    await this.record(d, 'wait', {}, false, signal, () => this.client.wait(d.name));
    d.status = '?';
  }

  /**
   * Runs one call of the client, recorded; its value is undefined when it failed or did not answer
   * in time. A queued call is settled by its result, later (queued()).
   */
  private async record<T>(d: Driver, command: string, args: EnqueueArgs, queued: boolean, signal: AbortSignal, fn: () => Promise<T>): Promise<{ call: Call; value: T | undefined }> {
    const call: Call = { name: d.name, command, args, queued, jobIds: [], acked: false, error: null, settled: false, at: Date.now(), ms: 0 };
    this.log.calls.push(call);
    const done = this.calling.run(call, fn).then(
      (value) => {
        call.acked = true;
        if (typeof value === 'number') call.answer = `exit code ${value}`;
        else if (isInspect(value)) call.answer = value.State.Status;
        if (!queued) this.settle(call, null);
        return value;
      },
      (err: unknown) => {
        this.settle(call, err);
        return undefined;
      },
    );
    const got = await within(done, this.o.boundMs, signal);
    if (got === 'late') await this.stuckNow(d, call);
    return { call, value: typeof got === 'string' ? undefined : got.value };
  }

  private settle(call: Call, err: unknown): void {
    if (err !== null) {
      call.error = err instanceof BerthError ? { code: err.code, message: err.message, berth: true } : { code: 'not a BerthError', message: String(err), berth: false };
    }
    call.settled = true;
    call.ms = Date.now() - call.at;
    this.log.slowest = Math.max(this.log.slowest, call.ms);
    for (const jobId of call.jobIds) {
      const i = this.log.issued.get(jobId);
      if (!i) continue;
      void this.client.store.result(i.id, Number(jobId.slice(i.id.length + 1))).then(
        (r) => void (r === null || this.log.results.set(jobId, r)),
        () => undefined,
      );
    }
  }

  private async stuckNow(d: Driver, call: Call): Promise<void> {
    const seen = await this.client.inspect(d.name).then((c) => ({ id: c.Id, at: `${c.State.Status}${c.State.Activity ? `/${c.State.Activity}` : ''}` }), (err: unknown) => ({ id: '', at: `unreadable (${String(err)})` }));
    this.log.stuck.push({ id: seen.id, why: `${d.name}: ${call.command} ${JSON.stringify(call.args)} not answered within ${this.o.boundMs} ms; Berth shows ${seen.at}` });
  }
}

/** Races `p` against `ms` and `signal`: its value, or 'late', or 'stopped'. */
async function within<T>(p: Promise<T>, ms: number, signal: AbortSignal): Promise<{ value: T } | 'late' | 'stopped'> {
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  if (signal.aborted) ac.abort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([p.then((value) => ({ value })), delay(ms, 'late' as const, { signal: ac.signal }).catch(() => 'stopped' as const)]);
  } finally {
    signal.removeEventListener('abort', onAbort);
    ac.abort();
  }
}

function isInspect(value: unknown): value is Inspect {
  return typeof value === 'object' && value !== null && 'State' in value;
}
