/**
 * exec: `berth exec [-i] [-t] [-d] [-e K=V]... [--env-file F] [-w DIR] [-u USER[:GROUP]] NAME CMD
 * [ARG...]` runs a process in a running container (client.exec), as `podman exec`: its stdout to
 * stdout and its stderr to stderr, byte for byte and in order, from any machine; the CLI exits
 * with the process's exit code, 126 when it cannot be run, 127 when it is not found, 125 for
 * Berth's own errors (a container that is not running, an unknown user). `-d` prints the session
 * id and leaves it running. `-i` forwards stdin (EOF closes the process's); `-t` gives it a
 * terminal of this terminal's size, raw while it runs, resized on SIGWINCH, restored after.
 * `berth exec inspect ID` shows a session (command, pid, running, exit code) while it runs and
 * for a while after.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { BerthError, execFailureCode, toBerthError } from '../../errors.js';
import type { ExecHandle, ExecOptions } from '../../queue/exec-client.js';
import type { Invocation } from '../context.js';
import { formatJson } from '../output.js';

interface ExecFlags {
  interactive?: boolean;
  tty?: boolean;
  detach?: boolean;
  env?: string[];
  envFile?: string[];
  workdir?: string;
  user?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];
const SESSION = /^[0-9a-f]{64}$/;

/** `-e K=V` as given; `-e K` takes K from this environment (dropped when unset), as Podman does. */
export function envEntry(entry: string, env: NodeJS.ProcessEnv): string | null {
  if (entry.includes('=')) return entry;
  const value = env[entry];
  return value === undefined ? null : `${entry}=${value}`;
}

/** An --env-file: KEY=VALUE lines; blank lines and # comments skipped; a bare KEY from the environment. */
export function parseEnvFile(text: string, env: NodeJS.ProcessEnv): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, '').trimStart())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => envEntry(l, env))
    .filter((e): e is string => e !== null);
}

/** The API's options from the flags (env files first, then -e, as Podman). */
export function execOptions(flags: ExecFlags, env: NodeJS.ProcessEnv, term: { rows?: number; columns?: number } = {}): ExecOptions {
  const fromFiles = (flags.envFile ?? []).flatMap((f) => {
    try {
      return parseEnvFile(readFileSync(f, 'utf8'), env);
    } catch (err) {
      throw new BerthError('EINVAL', `cannot read --env-file ${f}: ${(err as Error).message}`, { cause: err });
    }
  });
  const vars = [...fromFiles, ...(flags.env ?? []).map((e) => envEntry(e, env)).filter((e): e is string => e !== null)];
  return {
    ...(vars.length ? { env: vars } : {}),
    ...(flags.workdir === undefined ? {} : { workdir: flags.workdir }),
    ...(flags.user === undefined ? {} : { user: flags.user }),
    ...(flags.interactive ? { stdin: true } : {}),
    ...(flags.tty ? { tty: true, ...(term.rows && term.columns ? { rows: term.rows, cols: term.columns } : {}) } : {}),
    ...(flags.detach ? { detach: true } : {}),
  };
}

/** The exit code of an exec that failed: the runtime's failure 127 (not found) or 126, as Podman; Berth's own 125. */
export function execErrorCode(err: unknown): number {
  const e = toBerthError(err);
  return e.code === 'EOCI' ? execFailureCode(e.message) : 125;
}

/** Writes both streams as their bytes come, in the order they come; pauses both while the terminal is behind. */
async function pump(inv: Invocation, h: ExecHandle): Promise<void> {
  const streams = [h.stdout, h.stderr] as const;
  await new Promise<void>((resolve) => {
    let open = 2;
    streams.forEach((s, i) =>
      s
        .on('data', (chunk: Buffer) => {
          const done = inv.io.write(i === 0 ? 'out' : 'err', chunk);
          for (const x of streams) x.pause();
          void done.then(() => streams.forEach((x) => x.resume()));
        })
        .once('end', () => --open === 0 && resolve()),
    );
  });
}

/** -i: this process's stdin to the session's (end is EOF); -t: raw mode and window sizes while it runs. */
function connectTerminal(h: ExecHandle, flags: ExecFlags): () => void {
  const stdin = process.stdin;
  const raw = flags.tty === true && flags.interactive === true && stdin.isTTY;
  if (raw) stdin.setRawMode(true);
  const resize = () => {
    if (process.stdout.rows && process.stdout.columns) h.stdin?.resize(process.stdout.rows, process.stdout.columns).catch(() => undefined);
  };
  if (flags.tty) process.on('SIGWINCH', resize);
  if (h.stdin) stdin.pipe(h.stdin);
  return () => {
    if (flags.tty) process.off('SIGWINCH', resize);
    if (h.stdin) stdin.unpipe(h.stdin);
    if (raw) stdin.setRawMode(false);
    stdin.pause();
  };
}

export function registerExec(program: Command, inv: Invocation): void {
  program
    .command('exec')
    .summary('Run a process in a running container')
    .description(
      "Run a process in a running container, as `podman exec`: its output streams to this terminal from any machine, and berth exits with its exit code (126: it cannot be run, 127: not found, 125: Berth's own error). `berth exec inspect ID` shows a session (running, or one of the last ones of its container).",
    )
    .argument('<container>', 'container name or Id (or `inspect` followed by a session id)')
    .argument('<command>', 'the command, resolved against PATH inside the container')
    .argument('[args...]', 'its arguments')
    .passThroughOptions()
    .option('-i, --interactive', 'forward stdin (EOF closes it)')
    .option('-t, --tty', 'give the process a pseudo-terminal of this terminal\'s size')
    .option('-d, --detach', 'start it and print its session id')
    .option('-e, --env <K=V>', 'set an environment variable (K alone: its value here); repeatable', collect)
    .option('--env-file <file>', 'read KEY=VALUE lines from a file; repeatable', collect)
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-u, --user <user[:group]>', 'user (and group), by name or number, from the container\'s /etc/passwd and /etc/group')
    .addHelpText('after', '\nExamples:\n  berth exec web cat /etc/hostname\n  berth exec -it web sh\n  printf \'a\\nb\\n\' | berth exec -i web cat\n  berth exec -d web sleep 100\n  berth exec inspect 3f2a…')
    .action(async (target: string, command: string, args: string[], flags: ExecFlags, self: Command) => {
      if (target === 'inspect' && SESSION.test(command) && args.length === 0) return inspectSession(inv, self, command);
      try {
        const opts = execOptions(flags, inv.env, process.stdout);
        await inv.withClient(self, async (client) => {
          const h = await client.exec(target, [command, ...args], opts);
          if (flags.detach) return inv.print(h.id);
          const release = connectTerminal(h, flags);
          try {
            await pump(inv, h);
            inv.exitCode = await h.exitCode;
          } finally {
            release();
          }
        });
      } catch (err) {
        inv.fail(err, { command: 'exec', container: target });
        inv.exitCode = execErrorCode(err);
      }
    });
}

async function inspectSession(inv: Invocation, self: Command, session: string): Promise<void> {
  try {
    await inv.withClient(self, async (client) => inv.print(formatJson([await client.execInspect(session)])));
  } catch (err) {
    inv.fail(err, { command: 'exec inspect' });
  }
}
