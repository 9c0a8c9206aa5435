/**
 * Values as Go's text/template sees them, for a JS value that came from JSON: what prints
 * (`<no value>` for a missing map key, `<nil>`, `[a b]`, `map[k:v]`, `{v1 v2}`), what is true
 * (not false, 0, nil, "", empty), and how a plain object reads: as a Go struct when every key
 * starts with a capital letter (Podman's field names: an unknown field is an error), else as a
 * map (a missing key is `<no value>`). Printed strings are escaped (printable.ts).
 */
import { printable } from '../printable.js';

/** The zero reflect.Value: a missing map key, printed `<no value>`. */
export const NO_VALUE: unique symbol = Symbol('no value');

/** Own enumerable keys: a non-enumerable toJSON (a row's JSON form) is no field. */
export function fieldsOf(v: object): string[] {
  return Object.keys(v);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A Go struct: Podman's exported field names all start with a capital letter. */
export function isStruct(v: Record<string, unknown>): boolean {
  const keys = fieldsOf(v);
  return keys.length > 0 && keys.every((k) => /^[A-Z]/.test(k));
}

/** A short Go-like type name for error messages. */
export function goType(v: unknown, name?: string): string {
  if (v === null || v === undefined || v === NO_VALUE) return 'interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  if (isRecord(v)) return isStruct(v) ? (name ?? 'struct') : 'map[string]interface {}';
  return typeof v;
}

export function isTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === NO_VALUE || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isRecord(v)) return fieldsOf(v).length > 0 || isStruct(v);
  return true;
}

/** fmt's %v of a value, unescaped. */
export function goString(v: unknown): string {
  if (v === NO_VALUE) return '<no value>';
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (isRecord(v)) {
    if (isStruct(v)) return `{${fieldsOf(v).map((k) => goString(v[k])).join(' ')}}`;
    return `map[${fieldsOf(v)
      .sort()
      .map((k) => `${k}:${goString(v[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

/** What an action prints: fmt's %v, control characters escaped. */
export function printValue(v: unknown): string {
  return printable(goString(v));
}
