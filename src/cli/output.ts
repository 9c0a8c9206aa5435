/**
 * What the CLI prints: Podman-like columns (ps, history, node ls), Podman's ps JSON shape, its
 * status strings ("Up 3 seconds", "Exited (7) 2 seconds ago"), and the one-line error message
 * with its exit code, taken only from EXIT_CODES. Nothing a container or a producer chose reaches
 * the terminal raw: table cells, template output, JSON and error lines escape control characters
 * (printable.ts); only `berth logs` prints a container's bytes as they are.
 */
import { ZERO_TIME, type Inspect } from '../actors/inspect.js';
import { BerthError, EXIT_CODES, toBerthError } from '../errors.js';
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
 * exited, otherwise Berth's state in title case ("Configured", "Created", "Paused", "Stopping",
 * "Removing", "Unknown").
 */
export function formatStatus(c: Pick<Inspect, 'State'>, now: number): string {
  const { Status, StartedAt, FinishedAt, ExitCode } = c.State;
  if (Status === 'running') {
    const t = timeOf(StartedAt);
    return t === undefined ? 'Up' : `Up ${humanDuration(Math.max(0, now - t))}`;
  }
  if (Status === 'stopped' || Status === 'exited') {
    const ago = formatAgo(FinishedAt, now);
    return ago ? `Exited (${ExitCode}) ${ago}` : `Exited (${ExitCode})`;
  }
  return titleCase(Status);
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

export const PS_HEADERS = ['CONTAINER ID', 'NAME', 'NODE', 'COMMAND', 'CREATED', 'STATUS'] as const;

export function formatPsTable(containers: readonly Inspect[], now = Date.now()): string {
  return formatColumns(
    PS_HEADERS,
    containers.map((c) => [shortId(c.Id), c.Name, c.Node, formatCommand(c.Config.Cmd), formatAgo(c.Created, now), formatStatus(c, now)]),
  );
}

/** One entry of `ps --format json`, shaped like Podman's ListContainer (plus Node). */
export interface PsEntry {
  Id: string;
  Names: string[];
  Node: string;
  Command: string[];
  Created: string;
  CreatedAt: string;
  /** The state name, as inspect's State.Status. */
  State: string;
  /** The health status, as in Podman 4+ ("" without a healthcheck). */
  Status: string;
  Exited: boolean;
  ExitCode: number;
  /** Unix seconds, as in Podman (the zero time when it never happened). */
  ExitedAt: number;
  StartedAt: number;
  Pid: number;
  Restarts: number;
}

const unixSeconds = (iso: string): number => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? Math.floor(Date.parse(ZERO_TIME) / 1000) : Math.floor(t / 1000);
};

export function psEntry(c: Inspect, now = Date.now()): PsEntry {
  const exited = c.State.Status === 'stopped' || c.State.Status === 'exited';
  return {
    Id: c.Id,
    Names: [c.Name],
    Node: c.Node,
    Command: c.Config.Cmd,
    Created: c.Created,
    CreatedAt: formatAgo(c.Created, now),
    State: c.State.Status,
    Status: '',
    Exited: exited,
    ExitCode: c.State.ExitCode,
    ExitedAt: unixSeconds(c.State.FinishedAt),
    StartedAt: unixSeconds(c.State.StartedAt),
    Pid: c.State.Pid,
    Restarts: c.RestartCount,
  };
}

/** A part of a `--format` template: literal text, or a field path (printed as JSON with `json`). */
export type TemplatePart = { text: string } | { path: string[]; json: boolean };

const ACTION = /\{\{\s*(.*?)\s*\}\}/g;

/**
 * Parses the subset of Go templates Podman users reach for: `{{.State.Status}}`, `{{ .Id }}`,
 * `{{json .Config}}`, `{{.}}`. Throws EINVAL for anything else.
 */
export function parseTemplate(format: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  let actions = 0;
  for (const m of format.matchAll(ACTION)) {
    const inner = m[1] ?? '';
    const field = /^(json\s+)?\.((?:[A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?$/.exec(inner);
    if (!field) {
      throw new BerthError('EINVAL', `\`--format\`: unsupported template action "{{${inner}}}" (use {{.Field.Path}} or {{json .Field.Path}})`);
    }
    if (m.index > last) parts.push({ text: format.slice(last, m.index) });
    parts.push({ path: field[2] ? field[2].split('.') : [], json: field[1] !== undefined });
    last = m.index + m[0].length;
    actions += 1;
  }
  if (actions === 0) {
    throw new BerthError('EINVAL', `\`--format\` must be json or a template such as {{.State.Status}}, got "${format}"`);
  }
  if (last < format.length) parts.push({ text: format.slice(last) });
  return parts;
}

export function renderTemplate(parts: readonly TemplatePart[], value: unknown): string {
  return parts
    .map((part) => {
      if ('text' in part) return part.text;
      let v: unknown = value;
      for (const key of part.path) {
        v = typeof v === 'object' && v !== null && Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;
      }
      if (part.json) return jsonText(JSON.stringify(v ?? null));
      if (v === undefined) return '<no value>';
      if (v === null) return '<nil>';
      return typeof v === 'object' ? jsonText(JSON.stringify(v)) : printable(String(v));
    })
    .join('');
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

/** The process exit code for an error: EXIT_CODES is the only table. */
export function exitCodeOf(err: unknown): number {
  return EXIT_CODES[toBerthError(err).code];
}

/** What a failure concerns, to name it in the message when the message does not already. */
export interface ErrorContext {
  /** The verb as typed ("rm"). */
  command?: string;
  /** The container (or containers) as typed. */
  container?: string;
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
