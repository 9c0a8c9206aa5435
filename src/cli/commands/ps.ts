/**
 * ps: running containers (all with -a), as Podman-like columns or as Podman's ps JSON.
 */
import type { Command } from 'commander';
import type { Invocation } from '../context.js';
import { parseFormat } from '../flags.js';
import { formatJson, formatPsTable, psEntry } from '../output.js';

export function registerPs(program: Command, inv: Invocation): void {
  program
    .command('ps')
    .summary('List containers')
    .description('List containers: the running ones, or all of them with -a. Paused containers are listed only with -a, as in Podman.')
    .option('-a, --all', 'show all the containers, not only the running ones')
    .option('--format <format>', 'table or json', 'table')
    .action(async (opts: { all?: boolean; format: string }, self: Command) => {
      try {
        const format = parseFormat(opts.format, ['table', 'json'] as const);
        await inv.withClient(self, async (client) => {
          const containers = await client.list({ all: opts.all === true });
          const now = Date.now();
          inv.print(format === 'json' ? formatJson(containers.map((c) => psEntry(c, now))) : formatPsTable(containers, now));
        });
      } catch (err) {
        inv.fail(err, { command: 'ps' });
      }
    });
}
