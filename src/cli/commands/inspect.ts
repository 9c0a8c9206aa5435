/**
 * inspect: a JSON array of Podman-shaped objects (Id, Name, Node, Created, Config, State,
 * RestartCount, …). `--format` also takes a Go-template subset, as Podman's does:
 * `{{.State.Status}}`, `{{json .Config}}`.
 */
import type { Command } from 'commander';
import type { Inspect } from '../../actors/inspect.js';
import type { Invocation } from '../context.js';
import { formatJson, parseTemplate, renderTemplate } from '../output.js';

export function registerInspect(program: Command, inv: Invocation): void {
  program
    .command('inspect')
    .summary('Display the configuration and state of one or more containers')
    .description(
      "Display the configuration and state of one or more containers as a JSON array of Podman-shaped objects (Podman's field names plus Node and RestartCount). With a template (-f '{{.State.ExitCode}}') print one line per container instead.",
    )
    .argument('<containers...>', 'container names or Ids')
    .option('-f, --format <format>', 'json, or a template such as {{.State.Status}} or {{json .State}}', 'json')
    .action(async (targets: string[], opts: { format: string }, self: Command) => {
      const where = { command: 'inspect', container: targets.join(' ') };
      try {
        const template = opts.format === 'json' ? undefined : parseTemplate(opts.format);
        await inv.withClient(self, async (client) => {
          const found: Inspect[] = [];
          const failures: Array<{ err: unknown; target: string }> = [];
          for (const target of targets) {
            try {
              found.push(await client.inspect(target));
            } catch (err) {
              failures.push({ err, target });
            }
          }
          if (template) for (const c of found) inv.print(renderTemplate(template, c));
          else inv.print(formatJson(found));
          for (const { err, target } of failures) inv.fail(err, { command: 'inspect', container: target });
        });
      } catch (err) {
        inv.fail(err, where);
      }
    });
}
