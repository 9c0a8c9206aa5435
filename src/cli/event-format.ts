/**
 * How `berth events` prints an event: Podman's text line (its time as Go prints a time, in UTC,
 * then "container <event> <id> (name=…, node=…, state=…, seq=…)"), one JSON object per line
 * (Podman's field names — ID, Name, Status, Time, timeNano, Type, ContainerExitCode for died —
 * plus State, Seq, Node and Cursor), or a Go template over the same fields (TimeNano, and
 * ContainerExitCode always; Inspect: the container's inspect object).
 */
import { BerthError } from '../errors.js';
import type { BerthEvent } from '../queue/berth-event.js';
import { compileTemplate } from './template.js';

export type EventPrinter = (e: BerthEvent) => string;

/** Go's time.String() in UTC: fractional seconds without trailing zeros. */
export function goTime(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(iso);
  if (!m) return iso;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  return `${m[1]} ${m[2]}${frac ? `.${frac}` : ''} +0000 UTC`;
}

export function eventText(e: BerthEvent): string {
  return `${goTime(e.Time)} ${e.Type} ${e.Status} ${e.ID} (name=${e.Name}, node=${e.Node}, state=${e.State}, seq=${e.Seq})`;
}

/** timeNano exactly (a JSON number beyond 2^53, as Podman's int64). */
function nanos(e: BerthEvent): string {
  return `${BigInt(Date.parse(e.Time)) * 1_000_000n}`;
}

export function eventJson(e: BerthEvent): string {
  const { Inspect: _inspect, timeNano: _nano, ContainerExitCode, ...rest } = e;
  const head = JSON.stringify({ ...(ContainerExitCode === undefined ? {} : { ContainerExitCode }), ID: rest.ID, Name: rest.Name, Status: rest.Status, Time: rest.Time });
  const tail = JSON.stringify({ Type: rest.Type, State: rest.State, Seq: rest.Seq, Node: rest.Node, Cursor: rest.Cursor });
  return `${head.slice(0, -1)},"timeNano":${nanos(e)},${tail.slice(1)}`;
}

/** What a template sees: the event's fields, TimeNano, ContainerExitCode (0 but on died), Inspect. */
export function templateValue(e: BerthEvent): Record<string, unknown> {
  const { timeNano: _nano, ...rest } = e;
  return { ...rest, TimeNano: nanos(e), ContainerExitCode: e.ContainerExitCode ?? 0 };
}

/** `--format`: empty (text), json, or a Go template; EINVAL for a bad template, before anything is read. */
export function eventPrinter(format: string | undefined): { header: string; print: EventPrinter } {
  if (format === undefined || format === '') return { header: '', print: eventText };
  if (format === 'json') return { header: '', print: eventJson };
  if (!format.includes('{{')) throw new BerthError('EINVAL', `\`--format\` must be json or a Go template ({{.Status}} {{.Name}}), got "${format}"`);
  const template = compileTemplate(format, { name: 'events', rootType: 'events.Event' });
  return { header: template.header(), print: (e) => template.render(templateValue(e)).replace(/\n$/, '') };
}
