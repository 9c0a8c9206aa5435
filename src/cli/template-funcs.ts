/**
 * The functions a `--format` template may call: Go's builtins that scripts use (index, len,
 * printf, print, println, eq, ne, lt, le, gt, ge, and, or, not) and Podman's own
 * (containers/common report: json, upper, lower, title, join, split, truncate, pad). Each throws
 * a TemplateFuncError with Go's wording; the executor adds where it happened.
 */
import { goString, goType, isRecord, isTruthy, NO_VALUE } from './template-value.js';

export class TemplateFuncError extends Error {}

type Func = (...args: unknown[]) => unknown;

/** Characters JSON.stringify leaves raw that a terminal may act on. */
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON as Podman's `json` prints it: compact, HTML left alone; terminal-unsafe characters as \uXXXX. */
export function jsonText(v: unknown): string {
  const text = JSON.stringify(v === NO_VALUE || v === undefined ? null : v) ?? 'null';
  return text.replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function str(v: unknown, fn: string): string {
  if (typeof v !== 'string') throw new TemplateFuncError(`error calling ${fn}: wrong type for value; expected string; got ${goType(v)}`);
  return v;
}

function int(v: unknown, fn: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TemplateFuncError(`error calling ${fn}: wrong type for value; expected int; got ${goType(v)}`);
  return v;
}

function arity(fn: string, args: unknown[], n: number): void {
  if (args.length !== n) throw new TemplateFuncError(`wrong number of args for ${fn}: want ${n} got ${args.length}`);
}

function compare(fn: string, a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new TemplateFuncError(`error calling ${fn}: incompatible types for comparison`);
}

const same = (a: unknown, b: unknown): boolean => (a === NO_VALUE ? undefined : a) === (b === NO_VALUE ? undefined : b) || (a == null && b == null);

/** fmt.Sprintf for the verbs scripts use: %s %v %d %q %t %x %%, with flags, width and precision. */
function sprintf(format: unknown, ...args: unknown[]): string {
  let next = 0;
  return str(format, 'printf').replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([svdqtx%])/g, (_m, flags: string, width: string, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (next >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[next++];
    let s = verb === 'q' ? JSON.stringify(goString(arg)) : verb === 'x' && typeof arg === 'number' ? arg.toString(16) : goString(arg);
    if (verb === 'd' && typeof arg !== 'number') s = `%!d(${goType(arg)}=${goString(arg)})`;
    if (prec !== undefined && (verb === 's' || verb === 'v')) s = s.slice(0, Number(prec));
    const w = Number(width || 0);
    if (s.length < w) s = flags.includes('-') ? s.padEnd(w) : s.padStart(w, flags.includes('0') && verb === 'd' ? '0' : ' ');
    return s;
  });
}

function index(v: unknown, ...keys: unknown[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (Array.isArray(cur) || typeof cur === 'string') {
      const i = int(k, 'index');
      if (i < 0 || i >= cur.length) throw new TemplateFuncError(`error calling index: index out of range: ${i}`);
      cur = cur[i];
    } else if (isRecord(cur)) {
      const key = str(k, 'index');
      cur = Object.hasOwn(cur, key) ? cur[key] : '';
    } else {
      throw new TemplateFuncError(`error calling index: can't index item of type ${goType(cur)}`);
    }
  }
  return cur;
}

function len(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (isRecord(v)) return Object.keys(v).length;
  throw new TemplateFuncError(`error calling len: len of type ${goType(v)}`);
}

/** The first argument that decides `and`/`or`, else the last, as Go returns it. */
function firstIndex(a: unknown[], decides: (v: unknown) => boolean): number {
  const i = a.findIndex(decides);
  return i < 0 ? a.length - 1 : i;
}

export const TEMPLATE_FUNCS: Readonly<Record<string, Func>> = {
  json: (...a) => (arity('json', a, 1), jsonText(a[0])),
  upper: (...a) => (arity('upper', a, 1), str(a[0], 'upper').toUpperCase()),
  lower: (...a) => (arity('lower', a, 1), str(a[0], 'lower').toLowerCase()),
  title: (...a) => (arity('title', a, 1), str(a[0], 'title').replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase())),
  join: (...a) => {
    arity('join', a, 2);
    const list = Array.isArray(a[0]) ? a[0] : typeof a[0] === 'string' ? [a[0]] : undefined;
    if (!list) throw new TemplateFuncError(`error calling join: wrong type for value; expected []string; got ${goType(a[0])}`);
    return list.map(goString).join(str(a[1], 'join'));
  },
  split: (...a) => (arity('split', a, 2), str(a[0], 'split').split(str(a[1], 'split'))),
  truncate: (...a) => (arity('truncate', a, 2), Array.from(str(a[0], 'truncate')).slice(0, Math.max(0, int(a[1], 'truncate'))).join('')),
  pad: (...a) => (arity('pad', a, 3), ' '.repeat(Math.max(0, int(a[1], 'pad'))) + str(a[0], 'pad') + ' '.repeat(Math.max(0, int(a[2], 'pad')))),
  index: (v, ...keys) => index(v, ...keys),
  len: (...a) => (arity('len', a, 1), len(a[0])),
  printf: (f, ...args) => sprintf(f, ...args),
  print: (...a) => a.map((v, i) => (i > 0 && typeof v !== 'string' && typeof a[i - 1] !== 'string' ? ' ' : '') + goString(v)).join(''),
  println: (...a) => `${a.map(goString).join(' ')}\n`,
  eq: (a, ...bs) => {
    if (bs.length === 0) throw new TemplateFuncError('error calling eq: missing argument for comparison');
    return bs.some((b) => same(a, b));
  },
  ne: (...a) => (arity('ne', a, 2), !same(a[0], a[1])),
  lt: (...a) => (arity('lt', a, 2), compare('lt', a[0], a[1]) < 0),
  le: (...a) => (arity('le', a, 2), compare('le', a[0], a[1]) <= 0),
  gt: (...a) => (arity('gt', a, 2), compare('gt', a[0], a[1]) > 0),
  ge: (...a) => (arity('ge', a, 2), compare('ge', a[0], a[1]) >= 0),
  and: (...a) => a[firstIndex(a, (v) => !isTruthy(v))],
  or: (...a) => a[firstIndex(a, isTruthy)],
  not: (...a) => (arity('not', a, 1), !isTruthy(a[0])),
};

export const TEMPLATE_FUNC_NAMES: ReadonlySet<string> = new Set(Object.keys(TEMPLATE_FUNCS));
