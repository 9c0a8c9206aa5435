/**
 * wait: blocks until each container has stopped (now or later) and prints its exit code, one per
 * line, in the order given; followed through the events stream, never polled.
 */
import type { Command } from 'commander';
import type { Invocation } from '../context.js';

export function registerWait(program: Command, inv: Invocation): void {
  program
    .command('wait')
    .summary('Block on one or more containers')
    .description('Block until one or more containers stop, then print their exit codes, one per line (128+N for a container killed by signal N).')
    .argument('<containers...>', 'container names or Ids')
    .action(async (targets: string[], _opts: unknown, self: Command) => {
      try {
        await inv.withClient(self, async (client) => {
          for (const target of targets) {
            try {
              inv.print(String(await client.wait(target)));
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
