/**
 * attach, and what start -a and the foreground run share with it (Podman's flags): attach to a
 * created or running container and stream its output from then on, its stdin when it was created
 * with -i (not with --no-stdin); detach with the detach keys (ctrl-p,ctrl-q: exit 0, the
 * container runs on); --sig-proxy (default true) forwards the CLI's signals. The CLI exits with
 * the container's exit code when its run ends.
 */
import { Option, type Command } from 'commander';
import { BerthError } from '../../errors.js';
import type { AttachOptions } from '../../queue/attach.js';
import type { BerthClient } from '../../queue/client.js';
import { followAttachment } from '../attach-session.js';
import type { Invocation } from '../context.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../detach-keys.js';

export interface AttachFlags {
  sigProxy?: string | boolean;
  detachKeys?: string;
}

export interface SessionOptions {
  sigProxy: boolean;
  detachKeys: Buffer | null;
}

/** `--sig-proxy` alone is true; `--sig-proxy=false` (Podman's spelling) or `--sig-proxy false`. */
export function parseBoolFlag(flag: string, value: string | boolean | undefined, byDefault: boolean): boolean {
  if (value === undefined) return byDefault;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new BerthError('EINVAL', `\`${flag}\` is true or false (--sig-proxy=false), got "${value.slice(0, 40)}"`);
}

/** Adds --sig-proxy and --detach-keys. */
export function withAttachFlags(cmd: Command): Command {
  return cmd
    .addOption(new Option('--sig-proxy [bool]', "forward the signals berth gets (SIGINT, SIGTERM, …) to the container as `kill` (default true; --sig-proxy=false: don't)"))
    .option('--detach-keys <keys>', `the keys that detach, leaving the container running (default ${DEFAULT_DETACH_KEYS}; "" for none)`);
}

/** The flags, checked before anything is sent. */
export function sessionOptions(flags: AttachFlags): SessionOptions {
  return {
    sigProxy: parseBoolFlag('--sig-proxy', flags.sigProxy, true),
    detachKeys: parseDetachKeys(flags.detachKeys ?? DEFAULT_DETACH_KEYS),
  };
}

/**
 * Attaches (and with `start`, starts) and follows to the end; resolves to the container's exit
 * code, null after a detach (the CLI exits 0). A start that fails is reported as Podman does: 127 for a command not found, 126 for one
 * that cannot be run, 125 otherwise.
 */
export async function attachAndFollow(inv: Invocation, client: BerthClient, target: string, attach: AttachOptions, session: SessionOptions): Promise<number | null> {
  const attachment = await client.attach(target, attach);
  return followAttachment(inv, client, attachment, session);
}

/** Podman's exit code for a container that could not be started: 127 not found, 126 not runnable, else 125. */
export function startFailureCode(err: unknown): number {
  if (!(err instanceof BerthError) || (err.code !== 'EOCI' && err.code !== 'EINVAL')) return 125;
  if (/executable "[^"]*" not found|executable file not found|no such file or directory/i.test(err.message)) return 127;
  if (err.code === 'EOCI' && /permission denied/i.test(err.message)) return 126;
  return 125;
}

/**
 * `start -a` (and -i, which implies it): one container, attached before its start is queued, so
 * no output of its run is lost; the CLI exits with its exit code.
 */
export async function startAttached(inv: Invocation, cmd: Command, targets: readonly string[], flags: AttachFlags & { interactive?: boolean }): Promise<void> {
  const where = { command: 'start', container: targets.join(' ') };
  let session: SessionOptions;
  try {
    if (targets.length !== 1) throw new BerthError('EINVAL', 'you cannot start and attach multiple containers at once');
    session = sessionOptions(flags);
    inv.globals(cmd);
  } catch (err) {
    inv.fail(err, where);
    return;
  }
  try {
    inv.exitCode = (await inv.withClient(cmd, (client) => attachAndFollow(inv, client, targets[0]!, { start: true, stdin: flags.interactive === true }, session))) ?? 0;
  } catch (err) {
    inv.fail(err, where);
    inv.exitCode = startFailureCode(err);
  }
}

export function registerAttach(program: Command, inv: Invocation): void {
  withAttachFlags(
    program
      .command('attach')
      .summary('Attach to a running container')
      .description(
        "Attach to a created or running container: print its output from now on (its stdout to stdout, its stderr to stderr; one stream with a terminal), and send it this terminal's input when it was created with -i. Detach with the detach keys (ctrl-p,ctrl-q): berth exits 0 and the container runs on. When the container's run ends, berth exits with its exit code.",
      )
      .argument('<container>', 'a container name or Id')
      .option('--no-stdin', "do not send this terminal's input to the container"),
  )
    .addHelpText('after', '\nExamples:\n  berth attach web\n  berth attach --no-stdin --sig-proxy=false web')
    .action(async (target: string, flags: AttachFlags & { stdin?: boolean }, self: Command) => {
      try {
        const session = sessionOptions(flags);
        inv.globals(self);
        inv.exitCode = (await inv.withClient(self, (client) => attachAndFollow(inv, client, target, { stdin: flags.stdin !== false }, session))) ?? 0;
      } catch (err) {
        inv.fail(err, { command: 'attach', container: target });
      }
    });
}
