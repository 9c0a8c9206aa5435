/**
 * inspect: a JSON array of Podman-shaped objects (Id, Name, Node, Created, Config, State,
 * RestartCount, …). `--format` also takes a Go template, as Podman's does: `{{.State.Status}}`,
 * `{{json .Config}}`, `{{range .Config.Env}}…{{end}}`; every container found is rendered before
 * anything is printed, so a template error prints nothing but the error.
 */
import type { Command } from 'commander';
import type { Inspect } from '../../actors/inspect.js';
import type { Invocation } from '../context.js';
import { formatJson } from '../output.js';
import { compileTemplate, renderRows } from '../template.js';

const TEMPLATE_OPTIONS = { name: 'inspect', rootType: 'InspectContainerData' };

export function registerInspect(program: Command, inv: Invocation): void {
  program
    .command('inspect')
    .summary('Display the configuration and state of one or more containers')
    .description(
      "Display the configuration and state of one or more containers as a JSON array of Podman-shaped objects (Podman's field names plus Node and RestartCount). With a Go template (-f '{{.State.ExitCode}}') print one line per container instead.",
    )
    .argument('<containers...>', 'container names or Ids')
    .option('-f, --format <format>', 'json, or a Go template such as {{.State.Status}} or {{json .State}}', 'json')
    .option('-s, --size', "add SizeRw (bytes the container wrote) and SizeRootFs (its whole root), from its node")
    .action(async (targets: string[], opts: { format: string; size?: boolean }, self: Command) => {
      const where = { command: 'inspect', container: targets.join(' ') };
      try {
        const template = opts.format === 'json' ? undefined : opts.format;
        if (template !== undefined) compileTemplate(template, TEMPLATE_OPTIONS);
        await inv.withClient(self, async (client) => {
          const found: Inspect[] = [];
          const failures: Array<{ err: unknown; target: string }> = [];
          for (const target of targets) {
            try {
              const i = await client.inspect(target);
              found.push(opts.size ? { ...i, ...(await client.storage.size(i.Id)) } : i);
            } catch (err) {
              failures.push({ err, target });
            }
          }
          if (template === undefined) inv.print(formatJson(found));
          else if (found.length > 0) inv.print(renderRows(template, found, TEMPLATE_OPTIONS));
          for (const { err, target } of failures) inv.fail(err, { command: 'inspect', container: target });
        });
      } catch (err) {
        inv.fail(err, where);
      }
    });
}
