/**
 * inspector: serves the visual inspector in the foreground: live statecharts, history, queues
 * and nodes in the browser, all assets served from here (no CDN). Binds 127.0.0.1 unless told
 * otherwise; mutating requests need the token, printed at start when generated. `berth up`
 * starts one too (startUpInspector). SIGINT/SIGTERM stop it.
 */
import type { Command } from 'commander';
import { createLogger } from '../../log.js';
import {
  INSPECTOR_FLAG_HELP,
  inspectorBannerLines,
  parseInspectorFlags,
  startInspector,
  UP_INSPECTOR_FLAG_NAMES,
  type Inspector,
  type InspectorFlagValues,
} from '../../inspector/index.js';
import type { Logger } from '../../log.js';
import { untilSignal, withGlobalOptions, type Env, type Invocation } from '../context.js';
import { collect } from '../flags.js';
import { printable } from '../../printable.js';
import { redactSecrets } from '../../redact.js';

export function registerInspector(program: Command, inv: Invocation): void {
  const cmd = program
    .command('inspector')
    .summary('Serve the visual inspector: statecharts, history, queues and nodes, live')
    .description(
      'Serve the visual inspector in the foreground: every container with its state, its statechart drawn from the machine, its history with time travel, the queues and the nodes, updated live; buttons for the commands valid in each state. Works offline. Binds 127.0.0.1 unless --host says otherwise; mutating requests need the token (printed when generated). Ctrl-C (SIGINT) or SIGTERM stops it.',
    )
    .option('--host <addr>', INSPECTOR_FLAG_HELP.host, '127.0.0.1')
    .option('--port <n>', INSPECTOR_FLAG_HELP.port, '7777')
    .option('--token <T>', INSPECTOR_FLAG_HELP.token)
    .option('--token-file <path>', INSPECTOR_FLAG_HELP.tokenFile)
    .option('--allowed-hosts <names>', INSPECTOR_FLAG_HELP.allowedHosts, collect)
    .option('--max-event-streams <n>', INSPECTOR_FLAG_HELP.maxEventStreams)
    .option('--stately [url]', INSPECTOR_FLAG_HELP.stately)
    .addHelpText(
      'after',
      [
        '',
        'Reads without the token show every Env entry as its key alone; with it (Authorization: Bearer T), whole.',
        'Bound beyond loopback (--host 0.0.0.0), it still answers only to the loopback names and those in --allowed-hosts.',
        '',
        'Example:',
        '  berth inspector --port 7777        # then open the printed URL',
      ].join('\n'),
    );
  withGlobalOptions(cmd, ['redis', 'stateDir', 'logLevel']);
  cmd.action(async (flags: InspectorFlagValues, self: Command) => {
    let inspector: Inspector | undefined;
    try {
      const parsed = parseInspectorFlags(flags, undefined, inv.env);
      const globals = inv.globals(self);
      const signalled = untilSignal();
      const log = createLogger(globals.logLevel === undefined ? {} : { level: globals.logLevel });
      inspector = await startInspector({ redis: inv.redis(self).url, log, ...parsed });
      for (const line of inspectorBannerLines(inspector, parsed.token === undefined)) inv.print(line);
      inv.print('Ctrl-C stops the inspector.');
      log.info({ signal: await signalled }, 'stopping');
    } catch (err) {
      inv.fail(err, { command: 'inspector' });
    } finally {
      await inspector?.close();
    }
  });
}

/** Adds `berth up`'s inspector flags. */
export function upInspectorFlags(cmd: Command): Command {
  return cmd
    .option('--no-inspector', 'do not start the inspector')
    .option('--inspector-host <addr>', INSPECTOR_FLAG_HELP.host, '127.0.0.1')
    .option('--inspector-port <n>', INSPECTOR_FLAG_HELP.port, '7777')
    .option('--inspector-token <T>', INSPECTOR_FLAG_HELP.token)
    .option('--inspector-token-file <path>', INSPECTOR_FLAG_HELP.tokenFile)
    .option('--inspector-allowed-hosts <names>', INSPECTOR_FLAG_HELP.allowedHosts, collect)
    .option('--inspector-max-event-streams <n>', INSPECTOR_FLAG_HELP.maxEventStreams);
}

export interface UpInspectorFlags {
  inspector?: boolean;
  inspectorHost?: string;
  inspectorPort?: string;
  inspectorToken?: string;
  inspectorTokenFile?: string;
  inspectorAllowedHosts?: string[];
  inspectorMaxEventStreams?: string;
}

/**
 * The inspector of `berth up`: flags are checked by the caller before anything starts
 * (`checkUpInspectorFlags`); failing to listen (a port in use) is a warning, not the end of up.
 */
export function checkUpInspectorFlags(flags: UpInspectorFlags, env: Env = {}): ReturnType<typeof parseInspectorFlags> | null {
  if (flags.inspector === false) return null;
  const values: InspectorFlagValues = {
    host: flags.inspectorHost,
    port: flags.inspectorPort,
    token: flags.inspectorToken,
    tokenFile: flags.inspectorTokenFile,
    allowedHosts: flags.inspectorAllowedHosts,
    maxEventStreams: flags.inspectorMaxEventStreams,
  };
  return parseInspectorFlags(values, UP_INSPECTOR_FLAG_NAMES, env);
}

export async function startUpInspector(
  parsed: ReturnType<typeof parseInspectorFlags>,
  redis: string,
  log: Logger,
): Promise<{ inspector: Inspector | undefined; lines: string[] }> {
  try {
    const inspector = await startInspector({ redis, log, ...parsed });
    return { inspector, lines: inspectorBannerLines(inspector, parsed.token === undefined) };
  } catch (err) {
    log.warn({ err }, 'inspector not started');
    return { inspector: undefined, lines: [`Inspector not started: ${printable(redactSecrets(err instanceof Error ? err.message : String(err)))}`] };
  }
}
