/**
 * healthcheck run: runs a container's health check now, on its node (client.healthcheckRun), as
 * Podman's `podman healthcheck run`: exit 0 when the container is healthy after it; otherwise its
 * status (unhealthy, starting) printed and exit 1; 125 for a container that is not running or has
 * no health check ("container X has no defined healthcheck"), or any other error.
 */
import type { Command } from 'commander';
import type { Invocation } from '../context.js';

export function registerHealthcheck(program: Command, inv: Invocation): void {
  const hc = program.command('healthcheck').summary('Manage health checks on containers').description('Manage health checks on containers.');
  hc.command('run')
    .summary('Run the health check of a container')
    .description("Run a container's health check now, on its node: exit 0 when it is healthy after it, 1 (printing the status) when not.")
    .argument('<container>', 'container name or Id')
    .action(async (target: string, _opts: unknown, self: Command) => {
      try {
        await inv.withClient(self, async (client) => {
          const r = await client.healthcheckRun(target);
          if (r.ExitCode !== 0) inv.print(r.Status);
          inv.exitCode = r.ExitCode;
        });
      } catch (err) {
        inv.fail(err, { command: 'healthcheck', container: target });
      }
    });
}
