/**
 * init, start, stop, kill, pause, unpause, restart, rm: Podman's multi-target verbs; sync: the
 * seed's Sync (libpod's API; Podman has no such verb), in the same style. Every name is looked up
 * first: when one is unknown, each unknown is named as Podman 4 names it and none is acted on.
 * Then each acts on the containers in the order given, blocks until the command is applied and
 * prints the name as typed; a failure prints its error line and the others still run. Exit codes
 * are Podman's: 125, or for rm 1 (no such container) and 2 (container state improper).
 * `--no-wait` queues each command and prints its job id instead.
 */
import type { Command } from 'commander';
import { BerthError } from '../../errors.js';
import type { CommandName } from '../../machines/index.js';
import { excerpt } from '../../printable.js';
import type { BerthClient, EnqueueArgs } from '../../queue/client.js';
import type { Invocation } from '../context.js';
import { startAttached, withAttachFlags, type AttachFlags } from './attach.js';
import { parseSeconds, parseSignalFlag } from '../flags.js';

interface VerbOptions extends AttachFlags {
  wait?: boolean;
  attach?: boolean;
  interactive?: boolean;
  time?: string;
  signal?: string;
  force?: boolean;
  depend?: boolean;
}

interface Verb {
  name: string;
  command: CommandName;
  summary: string;
  description: string;
  /** Adds the verb's own flags. */
  flags?(cmd: Command): void;
  /** Validates the flags (before anything is sent) into the command's arguments. */
  args?(opts: VerbOptions): EnqueueArgs;
  /** Runs the command and resolves once it is done. */
  apply(client: BerthClient, target: string, args: EnqueueArgs): Promise<unknown>;
}

const timeFlag = (verb: string) => (cmd: Command) =>
  cmd.option('-t, --time <seconds>', `seconds to wait for the stop signal to take effect before SIGKILL; 0 sends SIGKILL at once (default: the container's --stop-timeout, 10)`).addHelpText(
    'after',
    `\nExample:\n  berth ${verb} -t 5 web`,
  );

const timeArgs = (opts: VerbOptions): EnqueueArgs => (opts.time === undefined ? {} : { timeout: parseSeconds('-t', opts.time) });

/** rm's arguments: `depend` is the client's (rm --depend), never part of the remove job. */
type RmArgs = EnqueueArgs & { depend?: boolean };

const withTimeout = (args: EnqueueArgs) => (args.timeout === undefined ? {} : { timeout: args.timeout });

export const VERBS: readonly Verb[] = [
  {
    name: 'init',
    command: 'init',
    summary: 'Initialize one or more containers',
    description:
      'Initialize one or more containers: create them in the OCI runtime (runc create under conmon) without starting them. Configured or exited containers become created; a stopped one is cleaned up and created again.',
    apply: (c, t) => c.init(t),
  },
  {
    name: 'start',
    command: 'start',
    summary: 'Start one or more containers',
    description:
      'Start one or more containers. A configured one is initialized first; a stopped or exited one is created again. Starting a running container does nothing. With -a, attach to one container first (no output is lost), print its output and exit with its exit code.',
    flags: (cmd) =>
      withAttachFlags(
        cmd
          .option('-a, --attach', "attach to the container's output first, then start it; exit with its exit code")
          .option('-i, --interactive', "also send this terminal's input to its stdin (it must have been created with -i); implies -a"),
      ),
    apply: (c, t) => c.start(t),
  },
  {
    name: 'stop',
    command: 'stop',
    summary: 'Stop one or more containers',
    description:
      "Stop one or more containers: send each its stop signal (--stop-signal, SIGTERM by default) and, if it is still running after the timeout, SIGKILL. Blocks until the container has exited and is cleaned up. Stopping a stopped container does nothing; a paused one is refused, as in Podman.",
    flags: timeFlag('stop'),
    args: timeArgs,
    apply: (c, t, a) => c.stop(t, withTimeout(a)),
  },
  {
    name: 'kill',
    command: 'kill',
    summary: 'Kill one or more running containers with a specific signal',
    description: 'Send a signal (SIGKILL by default) to the main process of one or more running, paused or stopping containers.',
    flags: (cmd) => cmd.option('-s, --signal <signal>', 'signal to send, by name (TERM, SIGTERM) or number', 'KILL'),
    args: (opts) => ({ signal: parseSignalFlag('-s', opts.signal ?? 'KILL') }),
    apply: (c, t, a) => c.kill(t, a.signal === undefined ? {} : { signal: a.signal }),
  },
  {
    name: 'pause',
    command: 'pause',
    summary: 'Pause all the processes in one or more containers',
    description: 'Pause all the processes in one or more running containers (the cgroup freezer, runc pause).',
    apply: (c, t) => c.pause(t),
  },
  {
    name: 'unpause',
    command: 'unpause',
    summary: 'Unpause the processes in one or more containers',
    description: 'Unpause the processes in one or more paused containers (runc resume).',
    apply: (c, t) => c.unpause(t),
  },
  {
    name: 'restart',
    command: 'restart',
    summary: 'Restart one or more containers',
    description: 'Restart one or more containers: stop (with the timeout) and start again. Blocks until each runs.',
    flags: timeFlag('restart'),
    args: timeArgs,
    apply: (c, t, a) => c.restart(t, withTimeout(a)),
  },
  {
    name: 'rm',
    command: 'remove',
    summary: 'Remove one or more containers',
    description:
      "Remove one or more containers: delete them from the OCI runtime and forget them. A running or paused container is refused (exit 2) unless --force is given: then a running one is stopped first, as Podman does (its stop signal, SIGKILL after --time or its stop timeout), and one in any other state is killed. An unknown container exits 1.",
    flags: (cmd) =>
      cmd
        .option('-f, --force', 'stop a running container first (kill a paused one)')
        .option('-t, --time <seconds>', "with --force, seconds to wait for the stop signal to take effect before SIGKILL; 0 sends SIGKILL at once (default: the container's --stop-timeout, 10)")
        .option('--depend', 'remove the containers that require it first (recursively); without it, rm of a required container is refused')
        .addHelpText('after', '\nExample:\n  berth rm -f -t 2 web'),
    args: (opts): RmArgs => ({ force: opts.force === true, ...timeArgs(opts), ...(opts.depend ? { depend: true } : {}) }),
    apply: (c, t, a: RmArgs) => c.remove(t, { force: a.force === true, ...withTimeout(a), ...(a.depend === true ? { depend: true } : {}) }),
  },
  {
    name: 'sync',
    command: 'sync',
    summary: "Re-read one or more containers' state from the OCI runtime",
    description:
      "Re-read each container's state from the OCI runtime (runc state, and conmon's exit file) into Berth's. A container killed behind Berth's back becomes stopped with its exit code (-1, with State.Error set, when none was recorded); one paused or resumed behind its back becomes paused or running; one whose node was lost (unknown) gets the state runc reports. Configured, stopped and exited containers have nothing to re-read: they are left as they are.",
    apply: (c, t) => c.sync(t),
  },
];

export function registerLifecycle(program: Command, inv: Invocation): void {
  for (const verb of VERBS) {
    const cmd = program
      .command(verb.name)
      .summary(verb.summary)
      .description(verb.description)
      .argument('<containers...>', 'container names or Ids (an unambiguous Id prefix will do)')
      .option('--no-wait', 'queue the command and print its job id instead of waiting for it');
    verb.flags?.(cmd);
    cmd.action(async (targets: string[], opts: VerbOptions, self: Command) => {
      if (opts.attach || opts.interactive) {
        await startAttached(inv, self, targets, opts);
        return;
      }
      const where = { command: verb.name, container: targets.join(' ') };
      let args: EnqueueArgs;
      try {
        args = verb.args?.(opts) ?? {};
        inv.globals(self);
      } catch (err) {
        inv.fail(err, where);
        return;
      }
      await runEach(inv, self, verb, targets, args, opts.wait !== false);
    });
  }
}

async function runEach(inv: Invocation, cmd: Command, verb: Verb, targets: string[], args: EnqueueArgs, wait: boolean): Promise<void> {
  let client: BerthClient;
  try {
    client = await inv.connect(cmd);
  } catch (err) {
    inv.fail(err, { command: verb.name, container: targets.join(' ') });
    return;
  }
  try {
    if (!(await allKnown(inv, client, verb, targets))) return;
    for (const target of targets) {
      try {
        if (wait) {
          await verb.apply(client, target, args);
          inv.print(target);
        } else {
          const { jobId } = await client.enqueue(target, verb.command, args);
          inv.print(jobId);
        }
      } catch (err) {
        inv.fail(err, { command: verb.name, container: target });
      }
    }
  } finally {
    await client.close();
  }
}

/** Podman 4's words for a name that matches no container. */
export function noContainerNamed(target: string): BerthError {
  return new BerthError('ENOCTR', `no container with name or ID "${excerpt(target)}" found: no such container`, { container: target });
}

/**
 * Looks every name up before acting on any, as Podman 4 does: each unknown one (or a lookup that
 * fails) is reported and false returned, so none is acted on.
 */
async function allKnown(inv: Invocation, client: BerthClient, verb: Verb, targets: readonly string[]): Promise<boolean> {
  let known = true;
  for (const target of targets) {
    try {
      await client.inspect(target);
    } catch (err) {
      known = false;
      if (err instanceof BerthError && err.code === 'ENOCTR') inv.fail(noContainerNamed(target), { verb: verb.name });
      else inv.fail(err, { command: verb.name, container: target });
    }
  }
  return known;
}
