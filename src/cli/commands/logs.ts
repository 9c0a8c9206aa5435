/**
 * logs: a container's output from its stream in Redis (client.logs), so it works from any
 * machine. Its stdout bytes go to stdout and its stderr bytes to stderr, unchanged (written as
 * Buffers, never re-encoded); a line without its newline yet is written without one. Podman's
 * flags and semantics: -f follows until the container's run ends, --since/--until take what
 * Podman takes, --tail keeps the last N lines, -t prefixes each line with conmon's time. With
 * several containers each line starts with the container's short Id (its name with -n), reads
 * are merged by time, follows as lines arrive; a name that does not resolve fails them all
 * before anything is printed, as in Podman.
 */
import type { Command } from 'commander';
import { BerthError } from '../../errors.js';
import type { LogLine, LogsOptions } from '../../queue/log-reader.js';
import { displayTime, parseLogTime } from '../../queue/log-time.js';
import type { Invocation } from '../context.js';
import { asTheyCome, byTime } from '../merge-lines.js';
import { shortId } from '../output.js';

interface LogsFlags {
  follow?: boolean;
  since?: string;
  until?: string;
  tail?: string;
  timestamps?: boolean;
  names?: boolean;
}

const NEWLINE = Buffer.from('\n');

/** `--tail`: an integer; a negative one means all lines, as in Podman. */
export function parseTail(value: string): number {
  const trimmed = value.trim();
  if (!/^-?\d+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
    throw new BerthError('EINVAL', `\`--tail\` must be a whole number of lines (negative: all), got "${value}"`);
  }
  return Number(trimmed);
}

/** The API's options from the flags, validated before anything is sent. */
export function logsOptions(flags: LogsFlags): LogsOptions {
  if (flags.since !== undefined) parseLogTime(flags.since, 'since', { name: '--since' });
  if (flags.until !== undefined) parseLogTime(flags.until, 'until', { name: '--until' });
  return {
    follow: flags.follow === true,
    ...(flags.since === undefined ? {} : { since: flags.since }),
    ...(flags.until === undefined ? {} : { until: flags.until }),
    ...(flags.tail === undefined ? {} : { tail: parseTail(flags.tail) }),
  };
}

export function registerLogs(program: Command, inv: Invocation): void {
  program
    .command('logs')
    .summary("Fetch a container's output")
    .description(
      "Print a container's output as conmon captured it, read from its stream in Redis (any machine can): its stdout to stdout and its stderr to stderr, byte for byte. With -f, go on printing as it writes until the container stops (at once for a container that is not running). Redis keeps the last lines of each container (`berth worker --log-max-lines`, about 10,000 by default); removing the container drops them.",
    )
    .argument('<containers...>', 'container names or Ids')
    .option('-f, --follow', 'follow the output until the container stops')
    .option('--since <time>', 'only lines at or after this time: RFC 3339 (2026-12-02T19:05:40Z), a date, a Unix time, or a duration back from now (10m, 1h30m)')
    .option('--until <time>', 'only lines at or before this time: as --since, but a duration counts forward from now (as in Podman); with -f, stop following then')
    .option('--tail <n>', 'only the last n lines (a negative n: all)')
    .option('-t, --timestamps', "prefix each line with conmon's time of it")
    .option('-n, --names', 'with several containers, prefix lines with their names instead of their Ids')
    .addHelpText('after', '\nExamples:\n  berth logs -f web\n  berth logs --since 10m --tail 20 -t web\n  berth logs -f web db')
    .action(async (targets: string[], flags: LogsFlags, self: Command) => {
      try {
        const opts = logsOptions(flags);
        await inv.withClient(self, async (client) => {
          // every name first: one that does not resolve fails them all, before anything is printed
          const found = await Promise.all(targets.map((t) => client.inspect(t)));
          const prefixes = targets.length > 1 ? found.map((c) => Buffer.from(`${flags.names ? c.Name : shortId(c.Id)} `)) : null;
          const streams = found.map((c) => client.logs(c.Id, opts));
          const merged = opts.follow ? asTheyCome(streams) : byTime(streams);
          // a line continued (after a partial one) gets no prefix of its own
          const midLine = new Set<string>();
          for await (const { source, item } of merged) {
            const key = `${source}:${item.stream}`;
            const head = midLine.has(key) ? [] : [...(prefixes ? [prefixes[source]!] : []), ...(flags.timestamps ? [Buffer.from(`${displayTime(item.time)} `)] : [])];
            if (item.partial) midLine.add(key);
            else midLine.delete(key);
            await inv.io.write(item.stream === 'stderr' ? 'err' : 'out', frame(head, item));
          }
        });
      } catch (err) {
        inv.fail(err, { command: 'logs', container: targets.join(' ') });
      }
    });
}

/** The bytes to write for a line: its prefixes, its bytes, and its newline unless it has none yet. */
function frame(head: Buffer[], line: LogLine): Buffer {
  if (head.length === 0) return line.partial ? line.bytes : Buffer.concat([line.bytes, NEWLINE]);
  return Buffer.concat([...head, line.bytes, ...(line.partial ? [] : [NEWLINE])]);
}
