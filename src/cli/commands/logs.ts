/**
 * logs: the container's output as conmon captured it; stdout lines to stdout, stderr lines to
 * stderr. Read on the container's node (a job), so it works for any node.
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
        const lines = await inv.withClient(self, (client) => client.logs(target));
        for (const line of lines) {
          if (line.stream === 'stderr') inv.io.err(line.text);
          else inv.print(line.text);
        }
      } catch (err) {
        inv.fail(err, { command: 'logs', container: target });
      }
    });
}
