/** Formatting shared by the views: durations, times, short ids, state classes. */

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function shortId(id: string): string {
  return id.slice(0, 12);
}

/** 3d 4h, 2h 5m, 4m 12s, 9s */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const hh = Math.floor((s % 86_400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  if (d > 0) return `${d}d ${hh}h`;
  if (hh > 0) return `${hh}h ${mm}m`;
  if (mm > 0) return `${mm}m ${ss}s`;
  return `${ss}s`;
}

export function millis(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function clock(iso: string): string {
  if (!iso || iso === ZERO_TIME) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour12: false }) + `.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function ago(iso: string | null, now = Date.now()): string {
  if (!iso || iso === ZERO_TIME) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${duration(now - t)} ago`;
}

/** CSS class of a status ("st-running"); every status has a colour in app.css. */
export function stateClass(status: string): string {
  return `st st-${/^[a-z]+$/.test(status) ? status : 'unknown'}`;
}
