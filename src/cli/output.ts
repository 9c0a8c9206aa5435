/**
 * What the CLI prints: Podman-like columns (history, node ls; ps is ps-format.ts), Podman's
 * status strings ("Up 3 seconds", "Exited (7) 2 seconds ago"), JSON, and the one-line error
 * message with its exit code, taken only from EXIT_CODES and VERB_EXIT_CODES (errors.ts). Nothing a container or a producer chose reaches
 * the terminal raw: table cells, template output, JSON and error lines escape control characters
 * (printable.ts); only `berth logs` prints a container's bytes as they are.
 */
import { ZERO_TIME, type Inspect } from '../actors/inspect.js';
import { EXIT_CODES, toBerthError, VERB_EXIT_CODES } from '../errors.js';
import { excerpt, printable } from '../printable.js';
import { redactSecrets } from '../redact.js';
import type { NodeStatus } from '../store/nodes.js';
import type { HistoryEntry } from '../store/records.js';

/** Docker's go-units HumanDuration, which Podman uses for CREATED and STATUS. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

/** Milliseconds since the epoch, or undefined for the zero time or an unparsable one. */
function timeOf(iso: string | null | undefined): number | undefined {
  if (!iso || iso === ZERO_TIME) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** "3 seconds ago", as in Podman's CREATED column. */
export function formatAgo(iso: string | null | undefined, now: number): string {
  const t = timeOf(iso);
  return t === undefined ? '' : `${humanDuration(Math.max(0, now - t))} ago`;
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}

/** The command line, escaped, then shortened as Podman does for its COMMAND column. */
export function formatCommand(cmd: readonly string[], max = 24): string {
  const line = printable(cmd.join(' '));
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

function titleCase(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

/**
 * Podman's STATUS column: "Up <dur>" while running, "Exited (<code>) <dur> ago" once stopped or
 * exited, "Created" for configured (Podman's ps says so of its configured containers too),
 * otherwise Berth's state in title case ("Created", "Paused", "Stopping", "Removing", "Unknown").
 */
/** A crash loop, as Docker shows it: `Restarting (1) in 20s` (the exit code, the time to the restart). */
function restartingStatus(s: Pick<Inspect['State'], 'ExitCode' | 'NextRestartAt'>, now: number): string {
  const due = timeOf(s.NextRestartAt);
  if (due === undefined) return `Restarting (${s.ExitCode})`;
  const secs = Math.max(0, Math.ceil((due - now) / 1000));
  return `Restarting (${s.ExitCode}) in ${secs < 60 ? `${secs}s` : `${Math.floor(secs / 60)}m${secs % 60 ? `${secs % 60}s` : ''}`}`;
}

export function formatStatus(c: Pick<Inspect, 'State'>, now: number): string {
  // then " (<health>)" with a health check, as Podman's ps (`Up 5 seconds (healthy)`)
  const health = c.State.Health?.Status;
  return health ? `${baseStatus(c, now)} (${health})` : baseStatus(c, now);
}

function baseStatus(c: Pick<Inspect, 'State'>, now: number): string {
  const { Status, StartedAt, FinishedAt, ExitCode } = c.State;
  if (Status === 'running') {
    const t = timeOf(StartedAt);
    return t === undefined ? 'Up' : `Up ${humanDuration(Math.max(0, now - t))}`;
  }
  if (c.State.Restarting) return restartingStatus(c.State, now);
  if (Status === 'stopped' || Status === 'exited') {
    const ago = formatAgo(FinishedAt, now);
    return ago ? `Exited (${ExitCode}) ${ago}` : `Exited (${ExitCode})`;
  }
  return titleCase(Status === 'configured' ? 'created' : Status);
}

/**
 * Plain columns as Podman prints them: left-aligned, two spaces apart, no trailing blanks. Every
 * cell is escaped: a name or command holding ESC or a newline cannot drive the terminal or break
 * the table.
 */
export function formatColumns(headers: readonly string[], cells: readonly (readonly string[])[]): string {
  const rows = cells.map((r) => r.map(printable));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Characters JSON.stringify leaves raw that a terminal may act on: DEL, C1 controls, separators, bidi controls. */
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON text with those characters as \uXXXX escapes: the same JSON value, safe on a terminal. */
function jsonText(text: string): string {
  return text.replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** JSON as Podman prints it (4-space indent); C0 controls are escaped by JSON itself, the rest by jsonText. */
export function formatJson(value: unknown): string {
  return jsonText(JSON.stringify(value, null, 4));
}

export const HISTORY_HEADERS = ['AT', 'FROM', 'TO', 'COMMAND', 'NODE', 'MS', 'JOB'] as const;

export function formatHistoryTable(entries: readonly HistoryEntry[]): string {
  return formatColumns(
    HISTORY_HEADERS,
    entries.map((e) => [e.at, e.from || '(new)', e.to, e.command, e.node, String(e.ms), e.jobId]),
  );
}

export const NODE_HEADERS = ['NAME', 'STATUS', 'LAST HEARTBEAT', 'CONTAINERS', 'RUNTIME', 'CONCURRENCY', 'STARTED'] as const;

export function formatNodeTable(nodes: readonly NodeStatus[], now = Date.now()): string {
  return formatColumns(
    NODE_HEADERS,
    nodes.map((n) => [
      n.name,
      n.live ? 'live' : 'lost',
      n.lastHeartbeat ? formatAgo(n.lastHeartbeat, now) : '-',
      String(n.containers),
      n.runtime,
      String(n.concurrency),
      formatAgo(n.startedAt, now),
    ]),
  );
}

/** The process exit code for an error: EXIT_CODES, or Podman's own code for `verb` (VERB_EXIT_CODES: rm's 1 and 2). */
export function exitCodeOf(err: unknown, verb?: string): number {
  const code = toBerthError(err).code;
  const own = verb !== undefined && Object.hasOwn(VERB_EXIT_CODES, verb) ? VERB_EXIT_CODES[verb]![code] : undefined;
  return own ?? EXIT_CODES[code];
}

/** What a failure concerns, to name it in the message when the message does not already. */
export interface ErrorContext {
  /** The verb as typed ("rm"). */
  command?: string;
  /** The container (or containers) as typed. */
  container?: string;
  /** The verb whose exit codes apply, when `command` is not given (a lookup's failure, printed bare). */
  verb?: string;
}

/** Words that count as naming a verb in a message ("cannot remove container …" names rm). */
const VERB_WORDS: Readonly<Record<string, readonly string[]>> = { rm: ['rm', 'remove'] };

const NAME_CHAR = 'a-zA-Z0-9_.-';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function namesVerb(message: string, verb: string): boolean {
  return (VERB_WORDS[verb] ?? [verb]).some((w) => new RegExp(`(^|[^${NAME_CHAR}])${escape(w)}($|[^${NAME_CHAR}])`).test(message));
}

/** Says `container <name>` or quotes the name, as Berth's messages do. */
function namesContainer(message: string, name: string): boolean {
  return new RegExp(`container ${escape(name)}($|[^${NAME_CHAR}])|"${escape(name)}"`).test(message);
}

/** An error line's message is cut after this many characters (a runtime error can quote a whole argv). */
export const MAX_ERROR_MESSAGE = 1000;

/**
 * The one line printed on stderr: "Error: <message>", prefixed with "<verb> <container>: " unless
 * the message names both already ("Error: start web: no such container web"; a refused command's
 * message, "cannot stop container web in state paused: …", is printed as it is). Control
 * characters are escaped and long input is shortened, in the message and in the prefix alike; a
 * URL's password is never printed.
 */
export function errorLine(err: unknown, ctx: ErrorContext = {}): string {
  const message = excerpt(redactSecrets(toBerthError(err).message).replace(/\s*\n\s*/g, ' ').trim(), MAX_ERROR_MESSAGE);
  const command = ctx.command === undefined ? undefined : excerpt(ctx.command);
  const container = ctx.container === undefined ? undefined : excerpt(ctx.container);
  const named = (!command || namesVerb(message, command)) && (!container || namesContainer(message, container));
  const prefix = named ? '' : [command, container].filter(Boolean).join(' ');
  return `Error: ${prefix ? `${prefix}: ` : ''}${message}`;
}
