/**
 * `berth`: Podman's verbs and flags over Berth's TypeScript API. Builds the commander program,
 * runs one command and returns its exit code: 0, or 125 (through EXIT_CODES) for any Berth
 * error, usage errors included, each reported as one "Error: …" line on stderr.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { BerthError } from '../errors.js';
import { startTracing, type Tracing } from '../telemetry/index.js';
import { registerAttach } from './commands/attach.js';
import { registerCheckpoint } from './commands/checkpoint.js';
import { registerCreate } from './commands/create.js';
import { registerEvents } from './commands/events.js';
import { registerExec } from './commands/exec.js';
import { registerGraph } from './commands/graph.js';
import { registerHistory } from './commands/history.js';
import { registerHealthcheck } from './commands/healthcheck.js';
import { registerInspect } from './commands/inspect.js';
import { registerInspector } from './commands/inspector.js';
import { registerLifecycle } from './commands/lifecycle.js';
import { registerLogs } from './commands/logs.js';
import { registerNode } from './commands/node.js';
import { registerImage } from './commands/image.js';
import { registerPs } from './commands/ps.js';
import { registerStorage } from './commands/storage.js';
import { registerSystem } from './commands/system.js';
import { registerUp } from './commands/up.js';
import { registerWait } from './commands/wait.js';
import { berthVersion, registerWorker } from './commands/worker.js';
import { Invocation, processIo, withGlobalOptions, type Env, type Io } from './context.js';

const AFTER_HELP = `
Environment:
  BERTH_REDIS_URL              Redis URL, when neither --redis nor --redis-file is given
  BERTH_REDIS_URL_FILE         a file holding it (a Docker/Compose secret, say)
  BERTH_INSPECTOR_TOKEN        the inspector's token, when --token / --token-file are not given
  BERTH_INSPECTOR_TOKEN_FILE   a file holding it
  BERTH_STATE_DIR              state dir, when --state-dir is not given
  BERTH_LOG_LEVEL              log level of workers, when --log-level is not given
  OTEL_TRACES_EXPORTER         otlp or console: trace each command (default none: off)
  OTEL_EXPORTER_OTLP_ENDPOINT  the OTLP/HTTP collector, for otlp (default http://localhost:4318)

Without any of those, berth uses the embedded default: the unix socket of \`berth up\` in the
state dir (unix://<state dir>/redis.sock), with the password \`berth up\` keeps in
<state dir>/redis.password (readable by its owner only).

Exit status: 0 on success; 125 for any error of Berth (one line on stderr naming the container,
the command and, for a refused command, its state); rm: 1 for no such container, 2 for a
container state improper, as podman rm. \`berth wait\` prints exit codes.

Examples:
  berth up                                   # private Redis + a worker, in the foreground
  berth run -d --name web --rootfs /var/lib/berth/rootfs/busybox httpd -f -p 8080
  berth ps -a
  berth stop -t 5 web && berth wait web
  berth rm -f web`;

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

export function buildProgram(inv: Invocation): Command {
  const program = new Command('berth')
    .description(
      'Berth supervises OCI containers the way Podman does: each container is a state machine, each command a job on Redis, run by the worker of the container\'s node on runc.',
    )
    .version(berthVersion(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help for berth or a command')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => inv.io.out(s.replace(/\n$/, '')),
      writeErr: (s) => inv.io.err(s.replace(/\n$/, '')),
      // usage errors are reported by main(), as one "Error: …" line
      outputError: () => {},
    })
    .addHelpText('after', AFTER_HELP);
  withGlobalOptions(program, ['redis', 'logLevel', 'stateDir']);

  program.commandsGroup('Containers:');
  registerCreate(program, inv);
  registerLifecycle(program, inv);
  registerAttach(program, inv);
  registerWait(program, inv);
  registerCheckpoint(program, inv);
  program.commandsGroup('Information:');
  registerInspect(program, inv);
  registerPs(program, inv);
  registerLogs(program, inv);
  registerEvents(program, inv);
  registerExec(program, inv);
  registerHealthcheck(program, inv);
  registerHistory(program, inv);
  registerGraph(program, inv);
  registerInspector(program, inv);
  registerSystem(program, inv);
  registerStorage(program, inv); // issue 11: mount, unmount, artifact
  program.helpCommand('help [command]', 'show help for a command');
  program.commandsGroup('Nodes:');
  registerNode(program, inv);
  registerImage(program, inv); // images (issue #11)
  registerWorker(program, inv);
  registerUp(program, inv);

  // every subcommand takes the global options too (`berth inspect web --redis URL`)
  for (const cmd of allCommands(program)) {
    if (!cmd.options.some((o) => o.long === '--redis')) withGlobalOptions(cmd);
  }
  return program;
}

/** Runs the CLI on `argv` (process.argv's shape) and resolves to the exit code. */
export async function main(argv: readonly string[] = process.argv, io: Io = processIo, env: Env = process.env): Promise<number> {
  const inv = new Invocation(io, env);
  const program = buildProgram(inv);
  let tracing: Tracing | undefined;
  try {
    tracing = await startTracing({ env });
    await program.parseAsync([...argv]);
  } catch (err) {
    if (!(err instanceof CommanderError)) {
      inv.fail(err);
    } else if (err.exitCode !== 0) {
      const message =
        err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync'
          ? 'missing command (see berth --help)'
          : err.message.replace(/^error: /, '');
      inv.fail(new BerthError('EINVAL', message));
    }
  } finally {
    // the spans of this run are exported before the process exits
    await tracing?.shutdown();
  }
  return inv.exitCode;
}

function invokedAsScript(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

/** `berth … | head` closes the pipe early: not an error. */
export function exitQuietlyOnEpipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

if (invokedAsScript()) {
  exitQuietlyOnEpipe();
  process.exit(await main());
}
