/**
 * The options of `client.events` and `berth events`, validated at the boundary (EINVAL naming the
 * option): `since` and `until` as Podman takes them (RFC 3339, a date, Unix seconds, a duration
 * back from now for since and forward for until) or a stream id (an event's `Cursor`, to resume
 * just after it); filters as Podman's `--filter key=value`: container (name or Id prefix), event
 * (a Podman event name), node, type (Podman's event types; Berth's are all container); values of
 * one key OR'ed, keys AND'ed.
 */
import { BerthError } from '../errors.js';
import { isPodmanEventName, PODMAN_EVENT_NAMES, type PodmanEventName } from '../machines/index.js';
import { parseLogTime } from './log-time.js';

export const FILTER_KEYS = ['container', 'event', 'node', 'type'] as const;
/** Podman's event types; Berth's events are all of type container. */
export const EVENT_TYPES = ['container', 'image', 'machine', 'network', 'pod', 'system', 'volume'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type EventFilter = Partial<Record<FilterKey, string | readonly string[]>>;

export interface EventsOptions {
  /**
   * Replay from this time, or from just after this stream id (an event's `Cursor`). Default: from
   * now on, or with `until`, every event kept (as Podman).
   */
  since?: string | Date;
  /** End after this time (a past one ends once the replay reaches it). Default: follow forever. */
  until?: string | Date;
  filter?: EventFilter;
  /** Ends the iteration (as breaking out of the loop does). */
  signal?: AbortSignal;
  /** Stream entries read per round trip, the most held in memory at once (1..1000, default 100). */
  batch?: number;
}

/** Where the reading starts: after a stream id, at a time (ms), or at the stream's end now. */
export type EventsStart = { after: string } | { atMs: number } | { now: true };

export interface ParsedEventsOptions {
  start: EventsStart;
  untilMs: number | null;
  /** With `until` a stream id: the last entry to read (exact, not to the millisecond). */
  untilId: string | null;
  containers: string[];
  events: Set<PodmanEventName> | null;
  nodes: Set<string> | null;
  /** False when a type filter leaves out containers: then nothing matches. */
  containerType: boolean;
  batch: number;
}

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;
const NS_PER_MS = 1_000_000n;

function timeMs(value: string | Date, which: 'since' | 'until', name: string): number {
  const ns = parseLogTime(value, which, { name });
  return Number(ns / NS_PER_MS);
}

/** `["container=web", "event=start"]` (the CLI's repeated --filter) -> the filter object. */
export function parseFilterFlags(flags: readonly string[], name = '--filter'): EventFilter {
  const out: Partial<Record<FilterKey, string[]>> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new BerthError('EINVAL', `\`${name}\` must be key=value (container=X, event=E, node=N or type=container), got "${flag}"`);
    const key = flag.slice(0, eq);
    if (!(FILTER_KEYS as readonly string[]).includes(key)) {
      throw new BerthError('EINVAL', `\`${name}\` ${key} is an invalid filter: use container, event, node or type`);
    }
    (out[key as FilterKey] ??= []).push(flag.slice(eq + 1));
  }
  return out;
}

function values(filter: EventFilter, key: FilterKey, name: string): string[] | null {
  const v = filter[key];
  if (v === undefined) return null;
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : null;
  if (!list || list.some((x) => typeof x !== 'string' || x === '')) {
    throw new BerthError('EINVAL', `\`${name}.${key}\` must be a non-empty string or an array of them, got ${JSON.stringify(v)}`);
  }
  return list.length ? [...list] : null;
}

export function parseEventsOptions(opts: EventsOptions = {}, names: { since?: string; until?: string; filter?: string } = {}): ParsedEventsOptions {
  const sinceName = names.since ?? 'since';
  const untilName = names.until ?? 'until';
  const filterName = names.filter ?? 'filter';
  let start: EventsStart = { now: true };
  if (opts.since !== undefined) {
    start = typeof opts.since === 'string' && STREAM_ID.test(opts.since.trim()) ? { after: opts.since.trim() } : { atMs: Math.max(0, timeMs(opts.since, 'since', sinceName)) };
  }
  let untilMs: number | null = null;
  let untilId: string | null = null;
  if (opts.until !== undefined) {
    untilId = typeof opts.until === 'string' && STREAM_ID.test(opts.until.trim()) ? opts.until.trim() : null;
    untilMs = untilId !== null ? Number(untilId.split('-')[0]) : timeMs(opts.until, 'until', untilName);
  }
  // Podman: --until without --since replays every event kept, up to until
  if (opts.since === undefined && untilMs !== null) start = { atMs: 0 };
  const filter = opts.filter ?? {};
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new BerthError('EINVAL', `\`${filterName}\` must be an object ({ container, event, node }), got ${JSON.stringify(filter)}`);
  }
  for (const key of Object.keys(filter)) {
    if (!(FILTER_KEYS as readonly string[]).includes(key)) throw new BerthError('EINVAL', `\`${filterName}\` ${key} is an invalid filter: use container, event, node or type`);
  }
  const events = values(filter, 'event', filterName);
  for (const e of events ?? []) {
    if (!isPodmanEventName(e)) throw new BerthError('EINVAL', `\`${filterName}\` event=${e}: not an event name (${PODMAN_EVENT_NAMES.join(', ')})`);
  }
  const nodes = values(filter, 'node', filterName);
  const types = values(filter, 'type', filterName);
  for (const t of types ?? []) {
    if (!(EVENT_TYPES as readonly string[]).includes(t)) throw new BerthError('EINVAL', `\`${filterName}\` type=${t}: not an event type (${EVENT_TYPES.join(', ')})`);
  }
  const batch = opts.batch ?? 100;
  if (!Number.isInteger(batch) || batch < 1 || batch > 1000) throw new BerthError('EINVAL', `\`batch\` must be a whole number from 1 to 1000, got ${String(batch)}`);
  return {
    start,
    untilMs,
    untilId,
    containers: values(filter, 'container', filterName) ?? [],
    events: events ? new Set(events as PodmanEventName[]) : null,
    nodes: nodes ? new Set(nodes) : null,
    containerType: types === null || types.includes('container'),
    batch,
  };
}
