/**
 * The one table of runtime calls: per call the machine invokes (machines: RUNTIME_CALLS), how it
 * runs against the OciRuntime and how a call interrupted midway is settled from what the runtime
 * reports (invariant 4: never blindly re-run). Adding a call touches this table, the machine and
 * tests; the compiler refuses a call the machine names and the table lacks.
 *
 * A runner gets the caller's AbortSignal and passes it to the runtime, which ends the runc process
 * it started when the signal fires (a lost lease, a forced shutdown).
 */
import type { EffectOutput, ExecRequest, RuntimeCall } from '../machines/index.js';
import type { ExecSpec, OciRuntime, RuntimeSpec, RuntimeState } from '../oci/types.js';
import type { ContainerRecord } from '../store/records.js';

export interface CallInput {
  runtime: OciRuntime;
  record: ContainerRecord;
  /** The invoke's input, as the machine computed it. */
  input: Record<string, unknown>;
  signal: AbortSignal;
}

/** How an interrupted call is settled: it took effect (feed its done event) or must run again. */
export type Settled = { kind: 'done'; pid?: number } | { kind: 'rerun' };

export interface CallDef {
  /** The runtime subcommand it runs (`runc create` under conmon, `runc state` for a sync): its span's name and attribute. */
  subcommand: 'create' | 'start' | 'kill' | 'pause' | 'resume' | 'delete' | 'exec' | 'state' | 'checkpoint' | 'restore' | 'mount' | 'umount';
  run(c: CallInput): Promise<EffectOutput>;
  /** Given `runc state` (null: runc does not know the container), did the call take effect? */
  settle(observed: RuntimeState | null): Settled;
}

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
    network: record.spec.network,
    seccomp: record.spec.seccomp,
    pidsLimit: record.spec.pidsLimit,
    stdin: record.spec.stdin,
    tty: record.spec.tty,
    // storage (issue 11): an image container's overlay, mounted by the runtime at create (init)
    ...(record.spec.layers ? { layers: record.spec.layers } : {}),
    ...(record.spec.user ? { user: record.spec.user } : {}),
    ...(record.spec.readOnly !== undefined ? { readOnly: record.spec.readOnly } : record.spec.layers ? { readOnly: false } : {}),
  };
}

/** The machine's exec request (the invoke's input) as the runtime takes it. */
function execSpecOf(input: Record<string, unknown>): ExecSpec {
  const r = input as Partial<ExecRequest>;
  return {
    session: String(r.session ?? ''),
    command: r.command ?? [],
    env: r.env ?? [],
    workdir: r.workdir ?? '',
    user: r.user ?? '',
    tty: r.tty === true,
    stdin: r.stdin === true,
    ...(r.rows && r.cols ? { rows: r.rows, cols: r.cols } : {}),
  };
}

const done = (pid?: number): Settled => (pid === undefined ? { kind: 'done' } : { kind: 'done', pid });
const rerun: Settled = { kind: 'rerun' };
const statusOf = (o: RuntimeState | null) => o?.status ?? 'absent';

/**
 * How long a sync that finds the process gone gives its conmon to record the exit (conmon writes
 * it milliseconds after the exit; the wait ends at once when conmon is gone). Podman's seed waits
 * about 5 s for the exit file in the same place.
 */
export const SYNC_EXIT_WAIT_MS = 5000;

/** A sync's reading: `runc state`, and once the process is gone, the exit conmon recorded for the run. */
async function observe({ runtime, record, input, signal }: CallInput): Promise<EffectOutput> {
  const state = await runtime.state(record.id, { signal });
  if (state && state.status !== 'stopped') return { pid: state.pid, at: new Date().toISOString(), observed: { status: state.status, exit: null } };
  const recorded = await runtime.readExit(record.id, { waitMs: SYNC_EXIT_WAIT_MS, signal });
  // an exit file of another run (as reconcile-node.ts judges it) says nothing of this one
  const mine = recorded && (recorded.run === undefined || recorded.run === input['run']);
  return {
    at: new Date().toISOString(),
    observed: { status: statusOf(state), exit: mine ? { code: recorded.code, at: recorded.at, oomKilled: recorded.oomKilled } : null },
  };
}

export const CALL_TABLE: Readonly<Record<RuntimeCall, CallDef>> = {
  ociCreate: {
    subcommand: 'create',
    // the machine names the run it creates: that run's exit is reported with its number
    run: async ({ runtime, record, input, signal }) => ({ pid: (await runtime.create(runtimeSpecOf(record, Number(input['run'] ?? 1)), { signal })).pid }),
    settle: (o) => (statusOf(o) === 'absent' ? rerun : done(o?.pid ?? 0)),
  },
  ociStart: {
    subcommand: 'start',
    // the pid is known since create (conmon's sync message); no `runc state` needed
    run: async ({ runtime, record, signal }) => {
      await runtime.start(record.id, { signal });
      return { at: new Date().toISOString() };
    },
    settle: (o) => (statusOf(o) === 'created' || statusOf(o) === 'absent' ? rerun : done(o?.pid ?? 0)),
  },
  ociKill: {
    subcommand: 'kill',
    run: async ({ runtime, record, input, signal }) => {
      await runtime.kill(record.id, String(input['signal'] ?? 'SIGKILL'), { signal });
      return {};
    },
    // a signal to a process that is gone has nothing left to do
    settle: (o) => (['running', 'paused', 'created'].includes(statusOf(o)) ? rerun : done()),
  },
  ociPause: {
    subcommand: 'pause',
    run: async ({ runtime, record, signal }) => {
      await runtime.pause(record.id, { signal });
      return {};
    },
    settle: (o) => (statusOf(o) === 'running' ? rerun : done()),
  },
  ociResume: {
    subcommand: 'resume',
    run: async ({ runtime, record, signal }) => {
      await runtime.resume(record.id, { signal });
      return {};
    },
    settle: (o) => (statusOf(o) === 'paused' ? rerun : done()),
  },
  ociDelete: {
    subcommand: 'delete',
    run: async ({ runtime, record, input, signal }) => {
      // a counted `berth mount` keeps an image container's overlay mounted across the cleanup
      await runtime.delete(record.id, { force: input['force'] === true, keepStorage: input['keepStorage'] === true, signal });
      await runtime.clearExit(record.id);
      return {};
    },
    settle: (o) => (statusOf(o) === 'absent' ? done() : rerun),
  },
  ociRemove: {
    subcommand: 'delete',
    run: async ({ runtime, record, signal }) => {
      await runtime.delete(record.id, { force: true, signal });
      await runtime.purge(record.id);
      return {};
    },
    // removal is idempotent: always finished by running it again
    settle: () => rerun,
  },
  ociExec: {
    subcommand: 'exec',
    run: async ({ runtime, record, input, signal }) => ({ pid: (await runtime.exec(record.id, execSpecOf(input), { signal })).pid, at: new Date().toISOString() }),
    // a session's conmon, once spawned, is found again by its id (runtime.exec does not start it
    // twice: it reads the pid from that conmon's sync file); never spawned, it is spawned now
    settle: () => rerun,
  },
  ociCheckpoint: {
    subcommand: 'checkpoint',
    // the host's CRIU was asked before the command was applied (checkpoint-precheck.ts)
    run: async ({ runtime, record, input, signal }) => {
      const leaveRunning = input['leaveRunning'] === true;
      const exportTo = typeof input['export'] === 'string' && input['export'] !== '' ? { export: input['export'] } : {};
      await runtime.checkpoint(record.id, { keep: input['keep'] === true, leaveRunning, tcpEstablished: input['tcpEstablished'] === true, ...exportTo, signal });
      return { at: new Date().toISOString(), leftRunning: leaveRunning };
    },
    // still running: the dump did not end it, make it again; gone: it did (then cleanup, as after one)
    settle: (o) => (statusOf(o) === 'running' ? rerun : done()),
  },
  ociRestore: {
    subcommand: 'restore',
    run: async ({ runtime, record, input, signal }) => {
      const importFrom = typeof input['import'] === 'string' && input['import'] !== '' ? { import: input['import'] } : {};
      const spec = runtimeSpecOf(record, Number(input['run'] ?? 1));
      const { pid } = await runtime.restore(spec, { keep: input['keep'] === true, tcpEstablished: input['tcpEstablished'] === true, ...importFrom, signal });
      return { pid, at: new Date().toISOString() };
    },
    settle: (o) => (statusOf(o) === 'absent' ? rerun : done(o?.pid ?? 0)),
  },
  ociRefresh: {
    subcommand: 'delete',
    // after a reboot: whatever runc and conmon still hold of the container goes (runc delete
    // --force ends a process a simulated reboot left running; its conmon's exit file is dropped)
    run: async ({ runtime, record, signal }) => {
      await runtime.delete(record.id, { force: true, signal });
      await runtime.readExit(record.id, { waitMs: SYNC_EXIT_WAIT_MS, signal });
      await runtime.clearExit(record.id);
      return {};
    },
    // idempotent: running it again is always right
    settle: () => rerun,
  },
  // --- mount / unmount (issue 11, point 3) ---
  ociMount: {
    subcommand: 'mount',
    // a --rootfs container's root is its rootfs dir: always there, nothing to mount
    run: async ({ runtime, record, signal }) => {
      if (record.spec.layers) await runtime.mount(record.id, record.spec.layers, { signal });
      return {};
    },
    // idempotent (a mounted overlay is left as it is): running it again is always right
    settle: () => rerun,
  },
  ociUnmount: {
    subcommand: 'umount',
    run: async ({ runtime, record, signal }) => {
      if (record.spec.layers) await runtime.unmount(record.id, { signal });
      return {};
    },
    // idempotent (nothing mounted: nothing to do)
    settle: () => rerun,
  },
  // --- end mount / unmount ---
  ociSync: {
    subcommand: 'state',
    run: observe,
    // it only reads the runtime: running it again is always right
    settle: () => rerun,
  },
};

export function isRuntimeCall(value: unknown): value is RuntimeCall {
  return typeof value === 'string' && Object.hasOwn(CALL_TABLE, value);
}

/** An interrupted call, settled by the table from the runtime's view. */
export function settleCall(call: RuntimeCall, observed: RuntimeState | null): Settled {
  return CALL_TABLE[call].settle(observed);
}
