/**
 * history: every transition a container went through, oldest first: from, to, the command that
 * caused it, its job id, the node, when, and how long it took.
 */
import type { Command } from 'commander';
import type { Invocation } from '../context.js';
import { parseFormat } from '../flags.js';
import { formatHistoryTable, formatJson } from '../output.js';

export function registerHistory(program: Command, inv: Invocation): void {
  program
    .command('history')
    .summary("Show a container's transitions")
    .description(
      'Show every transition of a container, oldest first: the state before and after, the command, its job id, the node, the time and how long it took (ms).',
    )
    .argument('<container>', 'container name or Id')
    .option('--format <format>', 'table or json (an array of {from, to, command, jobId, node, at, ms})', 'table')
    .action(async (target: string, opts: { format: string }, self: Command) => {
      try {
        const format = parseFormat(opts.format, ['table', 'json'] as const);
        const entries = await inv.withClient(self, (client) => client.history(target));
        inv.print(format === 'json' ? formatJson(entries) : formatHistoryTable(entries));
      } catch (err) {
        inv.fail(err, { command: 'history', container: target });
      }
    });
}
