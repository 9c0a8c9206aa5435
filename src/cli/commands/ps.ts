/**
 * ps: running containers (all with -a), as Podman 4 prints them: its columns (plus NODE), its
 * JSON (plus Node), or a Go template (`--format '{{.Names}} {{.Status}}'`, `table …`).
 */
import type { Command } from 'commander';
import { BerthError } from '../../errors.js';
import type { Invocation } from '../context.js';
import { formatPs } from '../ps-format.js';
import { compileTemplate } from '../template.js';

/** `--format`: table, json, or a Go template (checked here, before connecting). */
export function parsePsFormat(format: string): string {
  if (format === 'table' || format === 'json') return format;
  if (!format.includes('{{') && !/^table(\s|$)/.test(format)) {
    throw new BerthError('EINVAL', `\`--format\` must be table, json or a Go template such as {{.Names}}, got "${format}"`);
  }
  compileTemplate(format, { name: 'ps' });
  return format;
}

export function registerPs(program: Command, inv: Invocation): void {
  program
    .command('ps')
    .summary('List containers')
    .description(
      "List containers: the running ones, or all of them with -a. Paused containers are listed only with -a, as in Podman. Columns are Podman's (CONTAINER ID, IMAGE: the root filesystem, COMMAND, CREATED, STATUS, PORTS, NAMES) plus NODE.",
    )
    .option('-a, --all', 'show all the containers, not only the running ones')
    .option('--format <format>', "table, json, or a Go template: '{{.ID}} {{.Names}} {{.Status}}', 'table {{.Names}}\\t{{.Node}}'", 'table')
    .option('--no-trunc', 'do not truncate the Id and the command')
    .addHelpText('after', "\nTemplate fields: ID, Id, Image, Command, CreatedHuman, CreatedAt, Created, RunningFor, Status, State, Ports, Names, Node, Pid, ExitCode, Exited, ExitedAt, StartedAt, Labels, Mounts, Networks, Restarts.")
    .action(async (opts: { all?: boolean; format: string; trunc?: boolean }, self: Command) => {
      try {
        const format = parsePsFormat(opts.format);
        await inv.withClient(self, async (client) => {
          const containers = await client.list({ all: opts.all === true });
          const out = formatPs(containers, format, { noTrunc: opts.trunc === false });
          if (out !== '') inv.print(out);
        });
      } catch (err) {
        inv.fail(err, { command: 'ps' });
      }
    });
}
