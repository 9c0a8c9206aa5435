/**
 * wait: blocks until each container meets a condition (default: it has stopped) and prints, one
 * line per container in the order given, its exit code (-1 for a condition other than stopped or
 * exited, as Podman 4). Followed through the events stream, never polled: `--interval` is accepted
 * and checked for Podman's sake, and unused. A bad condition or interval fails before anything
 * connects (EINVAL, exit 125).
 */
import type { Command } from 'commander';
import type { Invocation } from '../context.js';
import { collect } from '../flags.js';
import { parseConditions, parseInterval, type WaitCondition } from '../../queue/wait-condition.js';

interface WaitFlags {
  condition?: string[];
  interval?: string;
}

export function registerWait(program: Command, inv: Invocation): void {
  program
    .command('wait')
    .summary('Block on one or more containers')
    .description(
      'Block until one or more containers stop (or meet a --condition), then print their exit codes, one per line (128+N for a container killed by signal N; -1 for a condition other than stopped or exited).',
    )
    .argument('<containers...>', 'container names or Ids')
    .option('--condition <state>', 'a state to wait for (repeatable, any of them): configured, created, running, paused, stopping, stopped, exited, removing, unknown (default: stopped or exited)', collect)
    .option('-i, --interval <duration>', 'accepted for Podman compatibility and unused: Berth waits on the events stream, it does not poll', '250ms')
    .action(async (targets: string[], flags: WaitFlags, self: Command) => {
      let conditions: WaitCondition[];
      try {
        conditions = parseConditions(flags.condition);
        if (flags.interval !== undefined) parseInterval(flags.interval);
        inv.globals(self);
      } catch (err) {
        inv.fail(err, { command: 'wait' });
        return;
      }
      try {
        await inv.withClient(self, async (client) => {
          for (const target of targets) {
            try {
              inv.print(String(await client.wait(target, { condition: conditions })));
            } catch (err) {
              inv.fail(err, { command: 'wait', container: target });
            }
          }
        });
      } catch (err) {
        inv.fail(err, { command: 'wait', container: targets.join(' ') });
      }
    });
}
