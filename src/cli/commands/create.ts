/**
 * create and run. `create` makes a container (state configured) on a live node and prints its
 * Id; `run` is create + start. Flags are validated here, before anything is sent; everything
 * after the command is the container's argv (`berth run --rootfs R sh -c 'exit 7'`).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ContainerSpecInput } from '../../spec.js';
import type { Invocation } from '../context.js';
import { collect, parseEnvFlag, parseLabels, parseNameFlag, parseNetworkFlag, parsePidsLimit, parseSeconds, parseSecurityOpts, parseSignalFlag } from '../flags.js';

interface CreateOptions {
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
  rootfs: string;
}

/** The flags, checked, as a container spec. Throws EINVAL naming the first bad flag. */
export function specFromFlags(command: string, args: readonly string[], opts: CreateOptions, cwd = process.cwd()): ContainerSpecInput {
  const seccomp = opts.securityOpt === undefined ? undefined : parseSecurityOpts(opts.securityOpt, cwd);
  return {
    ...(opts.name === undefined ? {} : { name: parseNameFlag('--name', opts.name) }),
    rootfs: resolve(cwd, opts.rootfs),
    command: [command, ...args],
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
  };
}

function define(program: Command, name: string, summary: string, description: string): Command {
  return program
    .command(name)
    .summary(summary)
    .description(description)
    .argument('<command>', "the container's command (resolved against PATH inside the rootfs)")
    .argument('[args...]', 'its arguments')
    .passThroughOptions()
    .requiredOption('--rootfs <dir>', "the container's root filesystem: a directory on the node, in one of its rootfs roots")
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
    .addHelpText(
      'after',
      [
        '',
        'The rootfs must be in one of the node\'s rootfs roots (`berth worker --rootfs-root`, default <state dir>/rootfs).',
        '',
        'Everything after the command is its own:',
        `  berth ${name} --name job --rootfs /var/lib/berth/rootfs/busybox sh -c 'echo hi; exit 7'`,
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

  define(
    program,
    'run',
    'Run a command in a new container',
    'Run a command in a new container: create it and start it, then print its Id (detached, like podman run -d). Follow it with `berth wait` for its exit code and `berth logs` for its output.',
  ).action(async (command: string, args: string[], opts: CreateOptions, self: Command) => {
    const spec = checked(inv, self, 'run', () => specFromFlags(command, args, opts));
    if (!spec) return;
    try {
      await inv.withClient(self, async (client) => {
        const created = await client.create(spec);
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
    }
  });
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
