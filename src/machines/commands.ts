/**
 * The one table of commands: per command its arguments (a zod schema, beside `container` and
 * `seq`), the machine event it becomes, whether only Berth's own workers may queue it, and its
 * one-line help. The job contract's validation (queue/contract.ts), the worker's translation of a
 * mailbox entry (actors), the client's argument checks, the CLI's verbs, the inspector's buttons
 * and the README's job contract table are derived from it; adding a command touches this table,
 * the machine, and tests. `create` is not here: it makes a container rather than moving one (its
 * schema is the container spec, spec.ts). Pure: zod and the event factories only.
 */
import { z } from 'zod';
import { parseSignal } from '../signals.js';
import { absolutePath, envSchema, execString } from '../spec.js';
import { events, type ContainerEvent, type TimerEvent } from './events.js';
import type { PodmanEventName } from './podman-event-names.js';
import type { RestartBackoff } from './restart-policy.js';

/** What turning arguments into an event needs to know of the container. */
export interface CommandContext {
  /** The container's stop timeout (seconds), for a stop or restart that names none. */
  stopTimeout: number;
  /** Its durable timers pending, by id: the version of the commit that scheduled each, its event. */
  timers: Readonly<Record<string, { v: number; event: { type: string } }>>;
  /** The worker's restart backoff, given to an exit (restart policies; the spec's overrides it). */
  restartBackoff?: Partial<RestartBackoff>;
}

interface CommandDef<S extends z.ZodObject> {
  args: S;
  /** The machine event; null for an internal command that no longer applies (a stale timer). */
  event(args: z.output<S>, ctx: CommandContext): ContainerEvent | TimerEvent | null;
  /** Only Berth's own workers queue it (an exit the monitor recorded, a fired timer). */
  internal: boolean;
  /** One line, for the README's job contract and the inspector. */
  help: string;
  /**
   * The Podman event (`berth events`) of the command's first step when that step leaves the
   * status as it is (kill, sync, a restart of an exited container); a change of status has its own
   * event whatever the command (podman-events.ts).
   */
  podmanEvent?: PodmanEventName;
}

/** A command anyone may queue. */
const user = <S extends z.ZodObject>(d: Omit<CommandDef<S>, 'internal'>): CommandDef<S> => ({ ...d, internal: false });
/** A command only Berth's own workers may queue: a job carrying one from anyone else is refused. */
const berthOnly = <S extends z.ZodObject>(d: Omit<CommandDef<S>, 'internal'>): CommandDef<S> => ({ ...d, internal: true });
const none = z.object({});
const timeout = z.object({
  timeout: z.number().int('timeout is whole seconds').min(0, 'timeout must not be negative').optional(),
});
/** A signal by name or number ("TERM", "SIGTERM", "15"), canonical once parsed ("SIGTERM"). */
const signal = z.string().min(1).transform((s, ctx) => {
  try {
    return parseSignal(s).name;
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
    return z.NEVER;
  }
});

/** An exec session's id: 64 hex digits, made by the client (so it reads the output from the first byte). */
const session = z.string().regex(/^[0-9a-f]{64}$/, 'session must be 64 lowercase hex digits');
const windowSize = z.number().int('window sizes are whole cells').min(1).max(65535);
const execArgs = z.object({
  session,
  /** The process's argv (`command` is the job's command name). */
  argv: z
    .array(execString)
    .min(1, 'a command is required')
    .max(4096)
    .refine((c) => c[0] !== '', 'the command (its first word) must not be empty'),
  env: envSchema.optional(),
  workdir: absolutePath('workdir').optional(),
  user: z
    .string()
    .max(256)
    .regex(/^[^:\s/]+(:[^:\s/]+)?$/, 'user must be USER[:GROUP] (names or numbers)')
    .optional(),
  tty: z.boolean().optional(),
  stdin: z.boolean().optional(),
  rows: windowSize.optional(),
  cols: windowSize.optional(),
});

const USER_TABLE = {
  init: user({ args: none, event: () => events.init(), help: 'create it in the runtime (runc create under conmon) without starting it' }),
  start: user({ args: none, event: () => events.start(), help: 'start it (initialized first when configured, created again when stopped or exited); refused unless every container it requires runs (the TS API and CLI start them first)' }),
  stop: user({
    args: timeout,
    event: (a, d) => events.stop(a.timeout ?? d.stopTimeout),
    help: 'send the stop signal, SIGKILL after `timeout` seconds (default: its stop timeout; 0 sends SIGKILL at once, as Podman)',
  }),
  kill: user({
    args: z.object({ signal: signal.optional() }),
    event: (a) => events.kill(a.signal ?? 'SIGKILL'),
    podmanEvent: 'kill',
    help: 'send `signal` (`"TERM"`, `"SIGTERM"` or `"15"`; default `SIGKILL`) to its main process',
  }),
  pause: user({ args: none, event: () => events.pause(), help: 'freeze its processes (runc pause)' }),
  unpause: user({ args: none, event: () => events.unpause(), help: 'thaw its processes (runc resume)' }),
  restart: user({
    args: timeout,
    event: (a, d) => events.restart(a.timeout ?? d.stopTimeout),
    podmanEvent: 'restart',
    help: 'stop it (`timeout` as for `stop`), then start it again',
  }),
  cleanup: user({ args: none, event: () => events.cleanup(), help: 'release a stopped container from the runtime (runc delete)' }),
  remove: user({
    args: z.object({ force: z.boolean().optional() }).extend(timeout.shape),
    event: (a, d) => events.remove(a.force === true, a.timeout ?? d.stopTimeout),
    help: 'delete it from the runtime and forget it (refused while containers that require it exist); `force: true` stops a running one first (its stop signal, SIGKILL after `timeout` seconds, default its stop timeout, 0 at once, as Podman) and kills one in any other state',
  }),
  sync: user({
    args: none,
    event: () => events.sync(),
    podmanEvent: 'sync',
    help: "re-read runc's state into Berth's: a container killed, paused or resumed behind Berth's back is shown as it is",
  }),
  exec: user({
    args: execArgs,
    event: (a) =>
      events.exec({
        session: a.session,
        command: a.argv,
        env: a.env ?? [],
        workdir: a.workdir ?? '',
        user: a.user ?? '',
        tty: a.tty === true,
        stdin: a.stdin === true,
        ...(a.rows !== undefined && a.cols !== undefined ? { rows: a.rows, cols: a.cols } : {}),
      }),
    podmanEvent: 'exec',
    help: 'run `argv` in the running container as exec session `session` (64 hex digits, the client\'s); its output goes to the session\'s stream, its end to `execExited`',
  }),
  // --- checkpoint / restore (issue 12, point 5) ---
  checkpoint: user({
    args: z.object({
      keep: z.boolean().optional(),
      leaveRunning: z.boolean().optional(),
      tcpEstablished: z.boolean().optional(),
      export: absolutePath('export').optional(),
    }),
    event: (a) => events.checkpoint({ keep: a.keep === true, leaveRunning: a.leaveRunning === true, tcpEstablished: a.tcpEstablished === true, export: a.export ?? '' }),
    help: 'checkpoint the running container with CRIU (runc checkpoint): it ends exited unless `leaveRunning`; `export`: a tar of the checkpoint written there on its node; `keep`: CRIU\'s logs kept',
  }),
  restore: user({
    args: z.object({ keep: z.boolean().optional(), tcpEstablished: z.boolean().optional(), import: absolutePath('import').optional() }),
    event: (a) => events.restore({ keep: a.keep === true, tcpEstablished: a.tcpEstablished === true, import: a.import ?? '' }),
    help: 'restore a configured or exited container from its checkpoint (runc restore under conmon), or from `import`, a tar made by `export`; `keep`: the checkpoint kept',
  }),
  // --- end checkpoint / restore ---
  // --- health (issue 13) ---
  healthcheck: user({ args: none, event: () => events.healthcheck(), help: 'run its health check now (`berth healthcheck run`); the result comes back as `health`' }),
  // --- end health ---
  // --- mount / unmount (issue 11, point 3: under the container's lease, in mailbox order) ---
  mount: user({
    args: none,
    event: () => events.mount(),
    podmanEvent: 'mount',
    help: "mount its root filesystem on its node (an image container's overlay, when it is not) and count the mount; its path is the result's `GraphDriver.Data.MergedDir` (`Rootfs` for a --rootfs container); refused while it is being removed",
  }),
  unmount: user({
    args: z.object({ force: z.boolean().optional() }),
    event: (a) => events.unmount(a.force === true),
    podmanEvent: 'unmount',
    help: 'drop a counted mount; the last one unmounts unless the runtime holds the root (then: "still in use"); refused while running or paused or with exec sessions (the seed\'s rules); `force: true` drops every counted mount',
  }),
  // --- end mount / unmount ---
};

// --- batch (issue 12) ---
/** The commands a batch may hold: user commands that move the container; never remove, exec, sync or a batch. */
export const BATCHABLE = ['init', 'start', 'stop', 'kill', 'pause', 'unpause', 'restart', 'cleanup'] as const;
const batchStep = z
  .object({ command: z.string().max(64) })
  .catchall(z.unknown())
  .superRefine((st, ctx) => {
    if (!(BATCHABLE as readonly string[]).includes(st.command)) {
      const why = st.command === 'remove' ? 'a container cannot be removed inside a batch' : `"${st.command.slice(0, 32)}" cannot be in a batch (${BATCHABLE.join(', ')})`;
      ctx.addIssue({ code: 'custom', message: why });
      return;
    }
    const { command, ...args } = st;
    const parsed = USER_TABLE[command as (typeof BATCHABLE)[number]].args.strict().safeParse(args);
    if (!parsed.success) ctx.addIssue({ code: 'custom', message: `${command}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`).join('; ')}` });
  });
export type BatchStep = { command: (typeof BATCHABLE)[number] } & Record<string, unknown>;
const BATCH_TABLE = {
  batch: user({
    args: z.object({ steps: z.array(batchStep).min(1, 'a batch needs a step').max(32, 'a batch holds at most 32 steps') }),
    // a batch is not one event: the host applies its steps one by one (actors/batch.ts)
    event: () => null,
    help: "apply `steps` (`[{ command, ...arguments }]`: init, start, stop, kill, pause, unpause, restart, cleanup) in order as one mailbox entry under one lease; the first that fails or is refused ends it, naming it, the state left as the last applied step left it",
  }),
};
// --- end batch ---

const BERTH_TABLE = {
  exited: berthOnly({
    args: z.object({
      code: z.number().int(),
      at: z.string(),
      oomKilled: z.boolean().optional(),
      /** The run that ended; an exit of an earlier run is ignored. */
      run: z.number().int().positive().optional(),
    }),
    event: (a, ctx) => events.exited(a.code, a.at, a.oomKilled === true, a.run, ctx.restartBackoff),
    help: 'an exit the monitor recorded',
  }),
  execExited: berthOnly({
    args: z.object({ session, code: z.number().int(), at: z.string().max(64) }),
    event: (a) => events.execExited(a.session, a.code, a.at),
    podmanEvent: 'exec_died',
    help: "an exec session's exit its conmon recorded",
  }),
  timer: berthOnly({
    /** The timer's id and the version of the commit that scheduled it; its event is the record's. */
    args: z.object({ timer: z.string().min(1).max(100), v: z.number().int().positive() }),
    // a timer cancelled or scheduled again since is a no-op, however late it fires (actors/timers.ts)
    event: (a, ctx) => {
      const t = Object.hasOwn(ctx.timers, a.timer) ? ctx.timers[a.timer] : undefined;
      return t?.v === a.v && t.event.type.startsWith('timer.') ? (t.event as TimerEvent) : null;
    },
    help: 'a durable timer fired',
  }),
  refresh: berthOnly({
    args: z.object({ reason: z.string().min(1).max(500) }),
    event: (a) => events.refresh(a.reason),
    help: "the node rebooted: reset as Podman does after a reboot (the worker's first pass)",
  }),
  // --- health (issue 13) ---
  health: berthOnly({
    args: z.object({
      run: z.number().int().positive(),
      probe: z.number().int().min(0),
      exitCode: z.number().int(),
      text: z.string().max(4096),
      start: z.string().max(64),
      end: z.string().max(64),
    }),
    event: (a) => events.health(a),
    help: "a health probe's result, from the container's node",
  }),
  // --- end health ---
};

export const COMMAND_TABLE = { ...USER_TABLE, ...BATCH_TABLE, ...BERTH_TABLE };

export type TableCommand = keyof typeof COMMAND_TABLE;
export type CommandArgs<C extends TableCommand> = z.input<(typeof COMMAND_TABLE)[C]['args']>;

export function isTableCommand(value: unknown): value is TableCommand {
  return typeof value === 'string' && Object.hasOwn(COMMAND_TABLE, value);
}

/** Commands only Berth itself queues. */
export const INTERNAL_COMMANDS: ReadonlySet<string> = new Set(
  Object.entries(COMMAND_TABLE)
    .filter(([, d]) => d.internal)
    .map(([name]) => name),
);

/** The commands of the job contract anyone may queue (`cmd.` events of the machine). */
export type CommandName = keyof typeof USER_TABLE;
export const COMMANDS = Object.keys(USER_TABLE) as [CommandName, ...CommandName[]];

/**
 * The user commands that need no arguments (`exec` needs its session and argv): the inspector's
 * buttons. Derived from the table: a command whose schema takes `{}`.
 */
export const ARGLESS_COMMANDS = COMMANDS.filter((c) => COMMAND_TABLE[c].args.safeParse({}).success) as [CommandName, ...CommandName[]];

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.hasOwn(USER_TABLE, value);
}

export type ParsedCommand = { ok: true; event: ContainerEvent | TimerEvent | null } | { ok: false; issues: z.ZodError };

/** A command's arguments -> its machine event, validated by the table's schema. */
export function commandToEvent(command: TableCommand, args: unknown, ctx: CommandContext): ParsedCommand {
  const d = COMMAND_TABLE[command] as CommandDef<z.ZodObject>;
  const parsed = d.args.safeParse(args ?? {});
  return parsed.success ? { ok: true, event: d.event(parsed.data, ctx) } : { ok: false, issues: parsed.error };
}
