/**
 * checkpoint and restore: Podman's `container checkpoint` / `container restore` flags that Berth
 * has (CRIU through runc on the container's node). Prints the name once done. Where the node's
 * CRIU cannot run (`criu check` fails) both exit 125 with "checkpoint is not supported on this
 * host: <criu's first error line>" and change nothing. --export / --import take a file on the
 * container's node (a relative path is made absolute here); an --import archive that is not a
 * tar holding a checkpoint is refused before anything is queued.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BerthError } from '../../errors.js';
import type { BerthClient } from '../../queue/client.js';
import type { Invocation } from '../context.js';
import { noContainerNamed } from './lifecycle.js';

interface CheckpointFlags {
  keep?: boolean;
  leaveRunning?: boolean;
  tcpEstablished?: boolean;
  export?: string;
  import?: string;
}

const path = (p: string | undefined) => (p === undefined ? {} : { p: resolve(p) });

async function act(inv: Invocation, self: Command, verb: string, target: string, fn: (c: BerthClient) => Promise<unknown>): Promise<void> {
  try {
    inv.globals(self);
    await inv.withClient(self, async (client) => {
      await client.inspect(target).catch((err: unknown) => {
        throw err instanceof BerthError && err.code === 'ENOCTR' ? noContainerNamed(target) : err;
      });
      await fn(client);
    });
    inv.print(target);
  } catch (err) {
    // the host's refusal is about the host, not this container: Podman's words, as they are
    const unsupported = err instanceof BerthError && err.code === 'EUNSUPPORTED';
    inv.fail(err, unsupported ? { verb } : { command: verb, container: target });
  }
}

export function registerCheckpoint(program: Command, inv: Invocation): void {
  program
    .command('checkpoint')
    .summary('Checkpoint a running container')
    .description(
      'Checkpoint a running container with CRIU (runc checkpoint on its node). It ends exited (Checkpointed in inspect) unless --leave-running. Needs a host where `criu check` passes.',
    )
    .argument('<container>', 'container name or Id')
    .option('-k, --keep', "keep CRIU's logs (dump.log, stats-dump)")
    .option('-R, --leave-running', 'leave the container running after the checkpoint')
    .option('--tcp-established', 'checkpoint established TCP connections')
    .option('-e, --export <file>', "also write the checkpoint as a tar to this file (on the container's node)")
    .action(async (target: string, opts: CheckpointFlags, self: Command) => {
      const e = path(opts.export);
      await act(inv, self, 'checkpoint', target, (c) =>
        c.checkpoint(target, { keep: opts.keep === true, leaveRunning: opts.leaveRunning === true, tcpEstablished: opts.tcpEstablished === true, ...(e.p ? { export: e.p } : {}) }),
      );
    });
  program
    .command('restore')
    .summary('Restore a container from its checkpoint')
    .description(
      'Restore a configured or exited container from its checkpoint (runc restore under conmon on its node), or from a tar made by checkpoint --export. It ends running (Restored in inspect). Needs a host where `criu check` passes.',
    )
    .argument('<container>', 'container name or Id')
    .option('-k, --keep', 'keep the checkpoint after restoring')
    .option('--tcp-established', 'restore established TCP connections')
    .option('-i, --import <file>', "restore from this tar made by checkpoint --export (on the container's node)")
    .action(async (target: string, opts: CheckpointFlags, self: Command) => {
      const i = path(opts.import);
      await act(inv, self, 'restore', target, (c) => c.restore(target, { keep: opts.keep === true, tcpEstablished: opts.tcpEstablished === true, ...(i.p ? { import: i.p } : {}) }));
    });
}
