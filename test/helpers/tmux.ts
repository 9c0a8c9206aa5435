/**
 * A real terminal for tests: a private tmux server (its own socket) running one command in a pane
 * of a fixed size. Event-driven throughout: the pane's output is followed through a control-mode
 * client (`%output` notifications), and the command's exit status comes over a unix socket from
 * report-exit.mjs, which runs it on the pane's terminal (tmux 3.3a at times leaves an exited pane
 * process unreaped, never telling its death); `screen()` is capture-pane. Arguments are arrays,
 * never a shell string.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

const REPORT_EXIT = fileURLToPath(new URL('./report-exit.mjs', import.meta.url));

export class TmuxPane {
  private output = '';
  private waiters: { text: string; resolve: () => void }[] = [];

  private constructor(
    private readonly dir: string,
    private readonly socket: string,
    private readonly control: ResultPromise<{ reject: false; buffer: false; stdin: 'pipe' }>,
    private readonly reports: Server,
    private readonly exit: Promise<number>,
  ) {}

  /** Starts `argv` in a `cols`x`rows` pane, with `env` for it. */
  static async start(argv: readonly string[], env: Record<string, string>, cols = 120, rows = 30): Promise<TmuxPane> {
    const dir = mkdtempSync(join(tmpdir(), 'tmux-'));
    const socket = join(dir, 's');
    const reports = createServer();
    const exit = new Promise<number>((resolve) =>
      reports.on('connection', (c) => {
        let text = '';
        c.on('data', (d: Buffer) => (text += d.toString()));
        c.on('end', () => resolve(Number(text.trim())));
      }),
    );
    await new Promise<void>((resolve) => reports.listen(join(dir, 'exit'), resolve));
    const tmux = (args: string[]) => execa('tmux', ['-S', socket, '-f', '/dev/null', ...args], { env, extendEnv: false });
    // the pane (tmux execs the command: no shell), and a size of its own whatever clients attach
    // prettier-ignore
    await tmux([
      'new-session', '-d', '-s', 't', '-x', String(cols), '-y', String(rows), process.execPath, REPORT_EXIT, join(dir, 'exit'), ...argv, ';',
      'set-option', '-g', 'remain-on-exit', 'on', ';',
      'set-option', '-g', 'window-size', 'manual',
    ]);
    const control = execa('tmux', ['-S', socket, '-C', 'attach-session', '-t', 't'], { env, extendEnv: false, reject: false, buffer: false, stdin: 'pipe' });
    const pane = new TmuxPane(dir, socket, control, reports, exit);
    let partial = '';
    control.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('%output ')) pane.onOutput(line.slice(line.indexOf(' ', 8) + 1));
    });
    return pane;
  }

  private onOutput(escaped: string): void {
    this.output += escaped.replace(/\\(\d{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
    this.waiters = this.waiters.filter((w) => {
      if (!this.output.includes(w.text)) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once the pane has printed `text` (since it started, or since the last `forget()`). */
  printed(text: string): Promise<void> {
    if (this.output.includes(text)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ text, resolve }));
  }

  /** Forgets what was printed so far: the next `printed` looks only at what comes after. */
  forget(): void {
    this.output = '';
  }

  /** tmux send-keys: key names (Enter, C-p) or literal text with `literal`. */
  async keys(keys: readonly string[], literal = false): Promise<void> {
    await execa('tmux', ['-S', this.socket, 'send-keys', '-t', 't', ...(literal ? ['-l'] : []), ...keys]);
  }

  /** What the pane shows now, one string per row. */
  async screen(): Promise<string[]> {
    const r = await execa('tmux', ['-S', this.socket, 'capture-pane', '-p', '-t', 't']);
    return r.stdout.split('\n');
  }

  /** Resolves to the exit status of the pane's command once it has ended. */
  exitStatus(): Promise<number> {
    return this.exit;
  }

  async close(): Promise<void> {
    this.control.stdin.end();
    await execa('tmux', ['-S', this.socket, 'kill-server'], { reject: false });
    await this.control;
    await new Promise((resolve) => this.reports.close(resolve));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
