/**
 * node ls: the worker nodes Berth knows, live (heartbeating) or lost, with their containers.
 */
import type { Command } from 'commander';
import type { Invocation } from '../context.js';
import { parseFormat } from '../flags.js';
import { formatJson, formatNodeTable } from '../output.js';

export function registerNode(program: Command, inv: Invocation): void {
  const node = program.command('node').summary('Manage worker nodes').description('Manage worker nodes.');
  node
    .command('ls')
    .alias('list')
    .summary('List worker nodes')
    .description('List the worker nodes: live (heartbeating) or lost, their last heartbeat and how many containers they hold.')
    .option('--format <format>', 'table or json', 'table')
    .action(async (opts: { format: string }, self: Command) => {
      try {
        const format = parseFormat(opts.format, ['table', 'json'] as const);
        const nodes = await inv.withClient(self, (client) => client.nodeList());
        inv.print(format === 'json' ? formatJson(nodes) : formatNodeTable(nodes));
      } catch (err) {
        inv.fail(err, { command: 'node ls' });
      }
    });
}
