/**
 * `ps` as Podman 4 prints it: the columns CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, PORTS,
 * NAMES (plus NODE, Berth's), aligned by Go's tabwriter; `--format json` with the field names and
 * types of Podman's ListContainer (Created a unix number, Status the human text, Names an array,
 * …) plus Node and Restarts; `--format '{{.Field}}'` over Podman's psReporter fields (ID the
 * short Id, Names joined, Command the command line cut at 17 characters, CreatedHuman, …).
 *
 * IMAGE is the container's image name (its root filesystem for a --rootfs container), ImageID the
 * image's Id ('' without one). State keeps Berth's state names (configured, created, running, paused, stopping,
 * stopped, exited, removing, unknown); the README maps them to Podman's words.
 */
import { ZERO_TIME, type Inspect } from '../actors/inspect.js';
import { formatAgo, formatJson, formatStatus, shortId } from './output.js';
import { renderRows } from './template.js';

/** Podman's ps table, plus NODE after NAMES. */
export const PS_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Node}}';

/** Podman's ps headers for the fields whose header is not their name in capitals. */
export const PS_HEADERS: Readonly<Record<string, string>> = {
  ID: 'CONTAINER ID',
  CreatedHuman: 'CREATED',
  RunningFor: 'CREATED',
  Networks: 'NETWORKS',
  Pod: 'POD ID',
  PodName: 'PODNAME',
};

/** One entry of `ps --format json`: Podman 4.3's ListContainer, field for field, plus Node and Restarts. */
export interface PsEntry {
  AutoRemove: boolean;
  Command: string[];
  /** Human, as Podman's JSON has it ("3 seconds ago"). */
  CreatedAt: string;
  Exited: boolean;
  /** Unix seconds; Go's zero time (-62135596800) when it never happened. */
  ExitedAt: number;
  ExitCode: number;
  Id: string;
  Image: string;
  ImageID: string;
  IsInfra: boolean;
  Labels: Record<string, string> | null;
  Mounts: string[];
  Names: string[];
  Namespaces: Record<string, string>;
  Networks: string[];
  Pid: number;
  Pod: string;
  PodName: string;
  Ports: null;
  Size: null;
  StartedAt: number;
  /** Berth's state name (Podman's lowercase state word where they meet: created, running, paused, exited). */
  State: string;
  /** Podman's human status: "Up 3 seconds", "Exited (0) 2 seconds ago", "Created", "Paused". */
  Status: string;
  /** Unix seconds. */
  Created: number;
  /** Berth's: the container's node. */
  Node: string;
  /** Berth's: how many times it was restarted. */
  Restarts: number;
}

const GO_ZERO_UNIX = Math.floor(Date.parse(ZERO_TIME) / 1000);

/** Unix seconds of an RFC 3339 time; Go's zero time for the zero time or an unparsable one. */
export function unixSeconds(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? GO_ZERO_UNIX : Math.floor(t / 1000);
}

/** Go's time.Time String(): "2026-12-02 22:59:14.011509134 +0000 UTC", as Podman's templates print times. */
export function goTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '0001-01-01 00:00:00 +0000 UTC';
  const d = new Date(t);
  const frac = /\.(\d+)/.exec(iso)?.[1]?.replace(/0+$/, '') ?? '';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}${frac ? `.${frac}` : ''} +0000 UTC`;
}

export function psEntry(c: Inspect, now = Date.now()): PsEntry {
  const exited = c.State.Status === 'stopped' || c.State.Status === 'exited';
  return {
    AutoRemove: false,
    Command: c.Config.Cmd,
    CreatedAt: formatAgo(c.Created, now),
    Exited: exited,
    ExitedAt: exited ? unixSeconds(c.State.FinishedAt) : GO_ZERO_UNIX,
    ExitCode: c.State.ExitCode,
    Id: c.Id,
    Image: c.ImageName || c.Rootfs,
    ImageID: c.Image ?? '',
    IsInfra: false,
    Labels: c.Config.Labels ?? null,
    Mounts: [],
    Names: [c.Name],
    Namespaces: {},
    Networks: [],
    Pid: c.State.Pid,
    Pod: '',
    PodName: '',
    Ports: null,
    Size: null,
    StartedAt: unixSeconds(c.State.StartedAt),
    State: c.State.Status,
    Status: formatStatus(c, now),
    Created: unixSeconds(c.Created),
    Node: c.Node,
    Restarts: c.RestartCount,
  };
}

/** Podman's ps COMMAND: the command line, cut to 17 characters and "..." unless `--no-trunc`. */
export function psCommand(cmd: readonly string[], noTrunc = false): string {
  const line = cmd.join(' ');
  return !noTrunc && line.length > 17 ? `${line.slice(0, 17)}...` : line;
}

/**
 * What `{{.Field}}` sees in `ps --format`: Podman's psReporter (the JSON entry's fields, with its
 * methods over them: ID, Names and Command as text, CreatedAt and Created as Go times,
 * CreatedHuman, RunningFor, Ports and Networks as text, Labels a map), plus Node. `{{json .}}` gives the JSON entry.
 */
export function psRow(c: Inspect, now = Date.now(), noTrunc = false): Record<string, unknown> {
  const entry = psEntry(c, now);
  const row: Record<string, unknown> = {
    ...entry,
    ID: noTrunc ? c.Id : shortId(c.Id),
    Names: c.Name,
    Command: psCommand(c.Config.Cmd, noTrunc),
    CreatedAt: goTime(c.Created),
    Created: goTime(c.Created),
    CreatedHuman: entry.CreatedAt,
    RunningFor: entry.CreatedAt,
    Labels: {},
    Ports: '',
    Networks: '',
    Size: '',
  };
  Object.defineProperty(row, 'toJSON', { value: () => entry, enumerable: false });
  return row;
}

/** The ps output for `format`: table (Podman's columns), json, or a Go template (`table …` too). */
export function formatPs(containers: readonly Inspect[], format: string, options: { now?: number; noTrunc?: boolean } = {}): string {
  const now = options.now ?? Date.now();
  if (format === 'json') return formatJson(containers.map((c) => psEntry(c, now)));
  const template = format === 'table' ? PS_TABLE : format;
  return renderRows(
    template,
    containers.map((c) => psRow(c, now, options.noTrunc === true)),
    { name: 'ps', rootType: 'psReporter', headers: PS_HEADERS, defaultTable: PS_TABLE.replace(/^table /, '') },
  );
}

/** The default table, as the CLI prints it and the demo shows it. */
export function formatPsTable(containers: readonly Inspect[], now = Date.now()): string {
  return formatPs(containers, 'table', { now });
}
