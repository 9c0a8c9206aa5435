/**
 * The CLI's side of an attachment (attach, start -a, the foreground run), as Podman's: the
 * container's stdout and stderr to the CLI's, byte for byte; the CLI's stdin to the container's
 * (when it has -i), scanned for the detach keys; with a terminal (-t) the CLI's terminal in raw
 * mode (ctrl-c goes to the container as a byte), its window size sent at once and on each
 * SIGWINCH, and restored however the CLI ends; with --sig-proxy the signals the CLI gets sent to
 * the container (a `kill` command). Resolves to the exit code: the container's, 0 after a detach.
 */
import type { Readable } from 'node:stream';
import { BerthError } from '../errors.js';
import type { Attachment } from '../queue/attach.js';
import type { BerthClient } from '../queue/client.js';
import type { Invocation } from './context.js';
import { DetachScanner } from './detach-keys.js';
import { errorLine } from './output.js';

export interface SessionFlags {
  /** --sig-proxy: forward the CLI's signals to the container. */
  sigProxy: boolean;
  /** The detach sequence; null: no detaching. */
  detachKeys: Buffer | null;
}

/** What Podman proxies: every signal a user sends, not those of the terminal's own business. */
export const PROXIED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGALRM'];

export async function followAttachment(inv: Invocation, client: BerthClient, a: Attachment, flags: SessionFlags): Promise<number | null> {
  const undo: (() => void)[] = [];
  try {
    const outputs = Promise.all([copy(inv, a.stdout, 'out'), copy(inv, a.stderr, 'err')]);
    if (a.tty) undo.push(followWindowSize(a));
    if (a.stdin) undo.push(forwardStdin(inv, a, flags.detachKeys));
    if (flags.sigProxy) undo.push(proxySignals(inv, client, a));
    const code = await a.exitCode;
    await outputs;
    return code;
  } finally {
    for (const u of undo.reverse()) u();
  }
}

async function copy(inv: Invocation, from: Readable, to: 'out' | 'err'): Promise<void> {
  for await (const chunk of from) await inv.io.write(to, chunk as Buffer);
}

/** The terminal's size now and after each change; a size that cannot be sent is left (best effort, as Podman). */
function followWindowSize(a: Attachment): () => void {
  const out = process.stdout;
  if (!out.isTTY) return () => {};
  const send = () => void a.resize(out.rows, out.columns).catch(() => undefined);
  send();
  out.on('resize', send);
  return () => out.off('resize', send);
}

/**
 * The CLI's stdin to the container's: raw when both are terminals; the detach keys end the
 * attachment and are never sent; EOF closes the container's stdin (not after a detach).
 */
function forwardStdin(inv: Invocation, a: Attachment, keys: Buffer | null): () => void {
  const input = process.stdin;
  const sink = a.stdin!;
  const scanner = new DetachScanner(keys);
  const raw = a.tty && input.isTTY;
  const restore = () => {
    if (raw && input.isTTY) input.setRawMode(false);
  };
  if (raw) {
    input.setRawMode(true);
    process.once('exit', restore);
  }
  let open = true;
  const stop = () => {
    open = false;
    input.off('data', onData);
    input.off('end', onEnd);
    input.pause();
  };
  const onData = (chunk: Buffer) => {
    const { send, detach } = scanner.scan(chunk);
    if (send.length > 0 && !sink.write(send)) {
      input.pause();
      sink.once('drain', () => open && input.resume());
    }
    if (detach) {
      stop();
      a.detach();
    }
  };
  const onEnd = () => {
    const held = scanner.flush();
    if (held.length > 0) sink.write(held);
    sink.end();
    stop();
  };
  sink.on('error', (err) => {
    inv.io.err(errorLine(err, { command: 'attach', container: a.name }));
    stop();
  });
  input.on('data', onData);
  input.on('end', onEnd);
  input.resume();
  return () => {
    if (open) stop();
    restore();
    process.off('exit', restore);
  };
}

/** Each signal the CLI gets goes to the container as a kill; one it cannot take is reported. */
function proxySignals(inv: Invocation, client: BerthClient, a: Attachment): () => void {
  const handlers = PROXIED_SIGNALS.map((signal) => {
    const handler = () => {
      client.kill(a.id, { signal }).catch((err: unknown) => {
        // a container that has just stopped takes no signal: its end is on its way
        if (err instanceof BerthError && err.code === 'ECTRSTATE') return;
        inv.io.err(errorLine(err, { command: 'kill', container: a.name }));
      });
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
