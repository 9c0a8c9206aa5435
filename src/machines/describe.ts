/**
 * Words for a machine's guards, as the statechart's readers (`berth graph`, the inspector's
 * chart) print them: "isForced and not in removed". Pure: it reads xstate's definitions only.
 */

/** A higher-order guard from xstate (`and`, `or`, `not`, `stateIn`) keeps its parts here. */
interface GuardParts {
  guards?: unknown[];
  stateValue?: unknown;
}

/** A guard of a transition definition, by name; and/or/not/stateIn spelled out (nested ones in parentheses). */
export function describeGuard(guard: unknown, nested = false): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const parts = guard as GuardParts;
    const name = guard.name;
    if ((name === 'and' || name === 'or') && Array.isArray(parts.guards)) {
      const text = parts.guards.map((g) => describeGuard(g, true)).join(` ${name} `);
      return nested ? `(${text})` : text;
    }
    if (name === 'not' && Array.isArray(parts.guards)) return `not ${describeGuard(parts.guards[0], true)}`;
    if (name === 'stateIn' && parts.stateValue !== undefined) {
      const value = typeof parts.stateValue === 'string' ? parts.stateValue : JSON.stringify(parts.stateValue);
      return `in ${value.replace(/^#[^.]+\./, '')}`;
    }
    return name || 'guard';
  }
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String((guard as { type: unknown }).type);
  return 'guard';
}
