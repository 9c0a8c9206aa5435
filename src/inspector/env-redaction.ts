/**
 * What a reader without the inspector's token sees of a container: everything but its Env values.
 * Each Env entry becomes its key alone (`"DB_PASSWORD"` for `"DB_PASSWORD=hunter2"`): a spec's
 * entries are always KEY=VALUE, so a bare key can only mean "hidden". Applied to inspect objects
 * (GET /api/containers, /api/containers/:name) and to the `state` of each transition event (SSE).
 */
import type { Inspect } from '../actors/inspect.js';
import type { StreamEntry, TransitionEvent } from '../store/events.js';

/** `KEY=VALUE` entries as their keys. */
export function hideEnvValues(env: readonly unknown[]): string[] {
  return env.filter((e): e is string => typeof e === 'string').map((e) => {
    const i = e.indexOf('=');
    return i < 0 ? e : e.slice(0, i);
  });
}

export function redactInspect(c: Inspect): Inspect {
  return { ...c, Config: { ...c.Config, Env: hideEnvValues(c.Config.Env) } };
}

/** The event with its state's Config.Env hidden (the state is read back from Redis: checked, not trusted). */
export function redactEvent(e: TransitionEvent): TransitionEvent {
  const config = e.state['Config'];
  if (typeof config !== 'object' || config === null) return e;
  const env = (config as { Env?: unknown }).Env;
  return { ...e, state: { ...e.state, Config: { ...config, Env: Array.isArray(env) ? hideEnvValues(env) : [] } } };
}

export function redactEntry(entry: StreamEntry): StreamEntry {
  return { ...entry, event: redactEvent(entry.event) };
}
