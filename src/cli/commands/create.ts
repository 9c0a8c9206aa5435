/**
 * create and run. `create` makes a container (state configured) on a live node and prints its
 * Id. `run` is Podman's: in the foreground it creates, attaches, starts, streams the output and
 * exits with the container's code (--rm removes it after; attach.ts for -i, --sig-proxy and the
 * detach keys); with -d it creates, starts and prints the Id. Flags are validated here, before
 * anything is sent; everything after the command is the container's argv
 * (`berth run --rootfs R sh -c 'exit 7'`).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BerthError } from '../../errors.js';
import type { BerthClient } from '../../queue/client.js';
import type { ContainerSpecInput } from '../../spec.js';
import { parseRestartFlag } from '../../restart-spec.js';
import type { Invocation } from '../context.js';
import { healthFromFlags, withHealthFlags, type HealthFlags } from '../health-flags.js';
import { attachAndFollow, sessionOptions, startFailureCode, withAttachFlags, type AttachFlags, type SessionOptions } from './attach.js';
import { collect, parseEnvFlag, parseLabels, parseNameFlag, parseNetworkFlag, parsePidsLimit, parseSeconds, parseSecurityOpts, parseSignalFlag } from '../flags.js';

// health check flags (issue 13): health-flags.ts
interface CreateOptions extends HealthFlags {
  name?: string;
  env?: string[];
  workdir?: string;
  hostname?: string;
  stopSignal?: string;
  stopTimeout?: string;
  node?: string;
  constraint?: string[];
  network?: string;
  securityOpt?: string[];
  pidsLimit?: string;
  interactive?: boolean;
  tty?: boolean;
  rootfs?: string;
  // storage (issue 11): containers from images
  entrypoint?: string;
  user?: string;
  label?: string[];
  readOnly?: boolean;
  // --- dependencies (issue 12) ---
  requires?: string[];
  // --- end dependencies ---
  /** --restart (restart policies) */
  restart?: string;
}

interface RunOptions extends CreateOptions, AttachFlags {
  detach?: boolean;
  rm?: boolean;
}

/** The flags, checked, as a container spec. Throws EINVAL naming the first bad flag. */
export function specFromFlags(first: string, args: readonly string[], opts: CreateOptions, cwd = process.cwd()): ContainerSpecInput {
  const seccomp = opts.securityOpt === undefined ? undefined : parseSecurityOpts(opts.securityOpt, cwd);
  return {
    ...(opts.name === undefined ? {} : { name: parseNameFlag('--name', opts.name) }),
    // Podman's positional: the image, then its command, unless --rootfs names the root (storage, issue 11)
    ...(opts.rootfs === undefined ? { image: first, ...(args.length ? { command: [...args] } : {}) } : { rootfs: resolve(cwd, opts.rootfs), command: [first, ...args] }),
    ...imageFlags(opts),
    ...(opts.env === undefined ? {} : { env: opts.env.map(parseEnvFlag) }),
    ...(opts.workdir === undefined ? {} : { workdir: opts.workdir }),
    ...(opts.hostname === undefined ? {} : { hostname: opts.hostname }),
    ...(opts.stopSignal === undefined ? {} : { stopSignal: parseSignalFlag('--stop-signal', opts.stopSignal) }),
    ...(opts.stopTimeout === undefined ? {} : { stopTimeout: parseSeconds('--stop-timeout', opts.stopTimeout) }),
    ...(opts.node === undefined ? {} : { node: parseNameFlag('--node', opts.node) }),
    ...(opts.constraint === undefined ? {} : { constraints: parseLabels('--constraint', opts.constraint) }),
    ...(opts.network === undefined ? {} : { network: parseNetworkFlag(opts.network) }),
    ...(seccomp === undefined ? {} : { seccomp }),
    ...(opts.pidsLimit === undefined ? {} : { pidsLimit: parsePidsLimit(opts.pidsLimit) }),
    ...(opts.interactive ? { stdin: true } : {}),
    ...(opts.tty ? { tty: true } : {}),
    // --- dependencies (issue 12) ---
    ...(opts.requires === undefined ? {} : { requires: parseRequires(opts.requires) }),
    // --- end dependencies ---
    // --- restart policy ---
    ...(opts.restart === undefined ? {} : parseRestartFlag(opts.restart)),
    ...healthFromFlags(opts),
  };
}

/** --entrypoint (a JSON array, or one string: Podman's), --user, --label, --read-only. */
function imageFlags(opts: CreateOptions): Partial<ContainerSpecInput> {
  return {
    ...(opts.entrypoint === undefined ? {} : { entrypoint: parseEntrypoint(opts.entrypoint) }),
    ...(opts.user === undefined ? {} : { user: opts.user }),
    ...(opts.label === undefined ? {} : { labels: parseLabels('--label', opts.label) }),
    ...(opts.readOnly ? { readOnly: true } : {}),
  };
}

export function parseEntrypoint(value: string): string[] {
  if (!value.startsWith('[')) return [value];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new BerthError('EINVAL', `\`--entrypoint\` is a command or a JSON array of strings, got "${value}"`);
  }
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new BerthError('EINVAL', `\`--entrypoint\` is a command or a JSON array of strings, got "${value}"`);
  return parsed as string[];
}

/** `--requires A,B` (repeatable): names or Ids, each checked as one. */
function parseRequires(values: readonly string[]): string[] {
  const all = values.flatMap((v) => v.split(',')).map((v) => v.trim());
  if (all.some((v) => v === '')) throw new BerthError('EINVAL', '--requires: an empty container name (write --requires A,B)');
  return all.map((v) => parseNameFlag('--requires', v));
}

function define(program: Command, name: string, summary: string, description: string): Command {
  return withHealthFlags(program.command(name))
    .summary(summary)
    .description(description)
    .argument('<image|command>', "the image (name[:tag] or Id) on the node; with --rootfs, the container's command (resolved against PATH inside the rootfs)")
    .argument('[args...]', "the command and its arguments (an image's: replacing its Cmd)")
    .passThroughOptions()
    .option('--rootfs <dir>', "the container's root filesystem instead of an image: a directory on the node, in one of its rootfs roots")
    .option('--entrypoint <cmd>', "override the image's entrypoint (a command, or a JSON array); its Cmd is dropped unless a command is given")
    .option('-u, --user <user[:group]>', 'the user (name or number) to run as, and its group')
    .option('-l, --label <KEY=VALUE>', 'set a label, over the image\'s (repeatable)', collect)
    .option('--read-only', "make the container's root filesystem read-only, with a tmpfs on /tmp")
    .option('--name <name>', 'assign a name to the container (default berth-<Id prefix>)')
    .option('-e, --env <KEY=VALUE>', 'set an environment variable (repeatable)', collect)
    .option('-w, --workdir <dir>', 'working directory inside the container (default /)')
    .option('--hostname <name>', "the container's hostname (default: its name)")
    .option('--stop-signal <signal>', 'signal to stop the container with (default SIGTERM)')
    .option('--stop-timeout <seconds>', 'seconds to wait after the stop signal before SIGKILL (default 10)')
    .option('--node <name>', 'the node to place the container on (default: the live node with the fewest containers)')
    .option('--constraint <KEY=VALUE>', 'place only on a node with this label (repeatable)', collect)
    .option(
      '--network <mode>',
      "none (default): a network namespace of its own with only loopback; host: the node's network, and with it every service on the node's loopback, Berth's Redis included",
    )
    .option(
      '--security-opt <seccomp=unconfined|FILE>',
      "seccomp=unconfined: no seccomp filter; seccomp=FILE: this seccomp profile (JSON, read here) instead of the node's default, containers-common's (repeatable; the last wins)",
      collect,
    )
    .option('--pids-limit <n>', 'the most processes the container may have at once (default 2048; 0 or -1: unlimited)')
    .option('-i, --interactive', 'keep its stdin open, for attach (and the foreground run) to write to')
    .option('-t, --tty', 'give it a pseudo-terminal (its stdout and stderr become one stream)')
    // --- dependencies (issue 12) ---
    .option('--requires <containers>', 'containers (names or Ids, comma-separated; repeatable) started before this one, recursively, by start', collect)
    // --- end dependencies ---
    // --- restart policy ---
    .option('--restart <policy>', 'restart policy when its process exits by itself: no (default), on-failure[:N], always or unless-stopped; with a backoff between restarts (10 s doubling to 5 min)')
    .addHelpText(
      'after',
      [
        '',
        'The rootfs must be in one of the node\'s rootfs roots (`berth worker --rootfs-root`, default <state dir>/rootfs).',
        'Without --rootfs the first argument is an image: its Entrypoint, Cmd, Env, WorkingDir, User, StopSignal and Labels apply, flags override them.',
        '',
        'Everything after the command is its own:',
        `  berth ${name} --name job --rootfs /var/lib/berth/rootfs/busybox sh -c 'echo hi; exit 7'`,
        `  berth ${name} --name web docker.io/library/busybox:latest httpd -f -p 8080`,
      ].join('\n'),
    );
}

export function registerCreate(program: Command, inv: Invocation): void {
  define(
    program,
    'create',
    'Create but do not start a container',
    'Create a container (state configured) from a root filesystem and a command, on a live node, and print its Id.',
  ).action(async (command: string, args: string[], opts: CreateOptions, self: Command) => {
    const spec = checked(inv, self, 'create', () => specFromFlags(command, args, opts));
    if (!spec) return;
    try {
      const created = await inv.withClient(self, (client) => client.create(spec));
      inv.print(created.Id);
    } catch (err) {
      inv.fail(err, { command: 'create', ...(spec.name === undefined ? {} : { container: spec.name }) });
    }
  });

  withAttachFlags(
    define(
      program,
      'run',
      'Run a command in a new container',
      "Run a command in a new container, as Podman: create it, attach to it, start it, print its output and exit with its exit code (with -i this terminal's input goes to its stdin; the detach keys, ctrl-p,ctrl-q, leave it running). With -d, start it in the background and print its Id.",
    )
      .option('-d, --detach', 'run it in the background and print its Id')
      .option('--rm', 'remove the container once it has exited (foreground only)'),
  ).action(async (command: string, args: string[], opts: RunOptions, self: Command) => {
    let session: SessionOptions | undefined;
    const spec = checked(inv, self, 'run', () => {
      if (opts.detach && opts.rm) throw new BerthError('EINVAL', '`--rm` needs the foreground run: Berth removes the container from `berth run --rm` without -d');
      if (!opts.detach) session = sessionOptions(opts);
      const spec = specFromFlags(command, args, opts);
      // Podman's words: --rm and a restart policy other than no contradict each other
      if (opts.rm && (spec.restartPolicy ?? 'no') !== 'no') throw new BerthError('EINVAL', 'the --rm option conflicts with --restart, when the restartPolicy is not "" and "no"');
      return spec;
    });
    if (!spec) return;
    try {
      await inv.withClient(self, async (client) => {
        const created = await client.create(spec);
        if (session) {
          await runAttached(inv, client, created.Id, created.Name, session, opts.rm === true);
          return;
        }
        try {
          await client.start(created.Id);
        } catch (err) {
          inv.fail(err, { command: 'run', container: created.Name });
          return;
        }
        inv.print(created.Id);
      });
    } catch (err) {
      inv.fail(err, { command: 'run', ...(spec.name === undefined ? {} : { container: spec.name }) });
      if (session) inv.exitCode = startFailureCode(err);
    }
  });
}

/**
 * The foreground run of a created container: attached before its start, followed to its end; the
 * CLI exits with its exit code (Podman's 126/127 when it could not start), 0 after a detach.
 * `rm`: once it has stopped (or failed to start), it is removed; not after a detach.
 */
async function runAttached(inv: Invocation, client: BerthClient, id: string, name: string, session: SessionOptions, rm: boolean): Promise<void> {
  let code: number | null;
  let started = true;
  try {
    code = await attachAndFollow(inv, client, id, { start: true, stdin: true }, session);
  } catch (err) {
    inv.fail(err, { command: 'run', container: name });
    code = startFailureCode(err);
    started = false;
  }
  if (rm && code !== null) {
    try {
      // the run's end entry comes just before its exit is committed
      if (started) await client.wait(id);
      await client.remove(id, { force: true });
    } catch (err) {
      inv.fail(err, { command: 'rm', container: name });
    }
  }
  inv.exitCode = code ?? 0;
}

/** The flags and global options, checked before anything connects; undefined after a failure. */
function checked(inv: Invocation, cmd: Command, verb: string, parse: () => ContainerSpecInput): ContainerSpecInput | undefined {
  try {
    const spec = parse();
    inv.globals(cmd);
    return spec;
  } catch (err) {
    inv.fail(err, { command: verb });
    return undefined;
  }
}
