/**
 * version and info, as Podman's: `version` the client's Berth, Node.js and platform, Redis's
 * version and each live node's Berth, runtime and conmon versions; `info` all of it and more
 * (every node, live or lost, its labels, host and state dirs; Redis's INFO; container counts),
 * YAML by default. `--format json` for both. An unreachable Redis: `version` still prints the
 * client's part, then the error.
 */
import type { Command } from 'commander';
import { describeRedis } from '../../store/redis.js';
import { berthVersion } from '../../queue/berth-version.js';
import type { SystemInfo } from '../../queue/system-info.js';
import type { Invocation } from '../context.js';
import { parseFormat } from '../flags.js';
import { formatJson } from '../output.js';
import { clientFacts, formatVersionText, infoReport, versionReport, type ClientFacts } from '../system-output.js';
import { toYaml } from '../yaml.js';

function facts(inv: Invocation, self: Command): ClientFacts {
  return clientFacts(berthVersion(), describeRedis(inv.redis(self).url), inv.stateDir(self));
}

export function registerSystem(program: Command, inv: Invocation): void {
  program
    .command('version')
    .summary('Display the Berth version information')
    .description("Display the version of this client (Berth, Node.js, OS/arch), of Redis, and of each live node's worker: its Berth, OCI runtime and conmon.")
    .option('-f, --format <format>', 'text or json', 'text')
    .action(async (opts: { format: string }, self: Command) => {
      try {
        const format = parseFormat(opts.format, ['text', 'json'] as const);
        const client = facts(inv, self);
        const print = (info?: SystemInfo) => {
          const report = versionReport(client, info);
          inv.print(format === 'json' ? formatJson(report) : formatVersionText(report));
        };
        let info: SystemInfo;
        try {
          info = await inv.withClient(self, (c) => c.info());
        } catch (err) {
          print();
          throw err;
        }
        print(info);
      } catch (err) {
        inv.fail(err, { command: 'version' });
      }
    });
  program
    .command('info')
    .summary('Display Berth related system information')
    .description("Display information about Berth's installation: this client, Redis (version, mode, memory, persistence), every node (live or lost, labels, containers, host, runtime and conmon paths and versions, runc root and state dir) and the containers by state.")
    .option('-f, --format <format>', 'yaml or json', 'yaml')
    .action(async (opts: { format: string }, self: Command) => {
      try {
        const format = parseFormat(opts.format, ['yaml', 'json'] as const);
        const client = facts(inv, self);
        const report = infoReport(client, await inv.withClient(self, (c) => c.info()));
        inv.print(format === 'json' ? formatJson(report) : toYaml(report));
      } catch (err) {
        inv.fail(err, { command: 'info' });
      }
    });
}
