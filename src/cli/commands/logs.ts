/**
 * logs: the container's output as conmon captured it; stdout lines to stdout, stderr lines to
 * stderr. Read from the container's output stream in Redis, so it works from any machine.
 */
import type { Command } from 'commander';
import type { Invocation } from '../context.js';

export function registerLogs(program: Command, inv: Invocation): void {
  program
    .command('logs')
    .summary('Fetch the logs of a container')
    .description("Print a container's output as conmon captured it: its stdout to stdout and its stderr to stderr.")
    .argument('<container>', 'container name or Id')
    .action(async (target: string, _opts: unknown, self: Command) => {
      try {
        await inv.withClient(self, async (client) => {
          for await (const line of client.logs(target)) {
            if (line.stream === 'stderr') inv.io.err(line.text);
            else inv.print(line.text);
          }
        });
      } catch (err) {
        inv.fail(err, { command: 'logs', container: target });
      }
    });
}
