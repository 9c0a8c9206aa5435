/**
 * events: the store's events stream as Podman prints it, from any machine. Replays from --since
 * (or every event kept, with --until alone), then follows live until --until or Ctrl-C (SIGINT,
 * SIGTERM: exit 0). Filters, times and formats as Podman's; a bad one is an error before anything
 * is read (exit 125).
 */
import type { Command } from 'commander';
import { EVENTS_MAX_LEN } from '../../store/index.js';
import { parseEventsOptions, parseFilterFlags, type EventsOptions } from '../../queue/event-options.js';
import type { Invocation } from '../context.js';
import { eventPrinter } from '../event-format.js';

interface EventsFlags {
  since?: string;
  until?: string;
  filter?: string[];
  format?: string;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** The API's options from the flags, validated (EINVAL naming the flag) before anything is read. */
export function eventsOptions(flags: EventsFlags): EventsOptions {
  const opts: EventsOptions = {
    ...(flags.since === undefined ? {} : { since: flags.since }),
    ...(flags.until === undefined ? {} : { until: flags.until }),
    filter: parseFilterFlags(flags.filter ?? []),
  };
  parseEventsOptions(opts, { since: '--since', until: '--until', filter: '--filter' });
  return opts;
}

/** Aborts on the first SIGINT or SIGTERM while `fn` runs; the handlers are removed after. */
async function untilInterrupted<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

export function registerEvents(program: Command, inv: Invocation): void {
  program
    .command('events')
    .summary('Show container events')
    .description(
      `Show containers' events as Podman names them (create, init, start, pause, unpause, stop, kill, died, cleanup, restart, sync, remove), each with the container's new state and sequence number, read from the events stream in Redis (from any machine). Without --since, from now on; with --since, replayed from then; without --until, followed until Ctrl-C (exit 0). Filters of one key are OR'ed, different keys AND'ed, as in Podman. The stream keeps about the last ${EVENTS_MAX_LEN.toLocaleString('en-US')} events (of all containers): a --since older than the oldest kept starts there.`,
    )
    .option('--since <time>', 'replay from this time: RFC 3339 (2026-12-02T19:05:40Z), a date, a Unix time, a duration back from now (10m), or an event\'s Cursor (resumes just after it)')
    .option('--until <time>', 'stop at this time: as --since, a duration counting forward from now; alone, replays every event kept up to it')
    .option('-f, --filter <key=value>', 'container=NAME|ID, event=NAME, node=NODE or type=container (repeatable)', collect)
    .option('--format <format>', 'json (one object per line) or a Go template ({{.Status}} {{.Name}})')
    .addHelpText('after', "\nExamples:\n  berth events --filter container=web\n  berth events --since 10m --until 0s --filter event=died --format json\n  berth events --format '{{.Time}} {{.Name}} {{.Status}} {{.State}}'")
    .action(async (flags: EventsFlags, self: Command) => {
      try {
        const opts = eventsOptions(flags);
        const printer = eventPrinter(flags.format);
        await inv.withClient(self, (client) =>
          untilInterrupted(async (signal) => {
            const stream = client.events({ ...opts, signal });
            if (printer.header) inv.print(printer.header);
            // written with back-pressure: a slow terminal or pipe slows the reads from Redis
            for await (const e of stream) await inv.io.write('out', Buffer.from(`${printer.print(e)}\n`));
          }),
        );
      } catch (err) {
        inv.fail(err, { command: 'events' });
      }
    });
}
