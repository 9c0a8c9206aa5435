/**
 * YAML for `berth info`, as Podman prints its info: two-space indents, lists under their key,
 * multi-line strings as `|-` blocks. A string that could read as anything but itself in YAML
 * (a number, a boolean, null, one with `:` or `#`, leading or trailing spaces) is written
 * double-quoted, as JSON writes it, which YAML reads back unchanged.
 */
type Value = unknown;

const PLAIN = /^[A-Za-z0-9_/.][A-Za-z0-9_/.+,() -]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan)$/i;

function scalar(v: Value): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  if (s !== '' && PLAIN.test(s) && !/ $/.test(s) && !RESERVED.test(s)) return s;
  return JSON.stringify(s);
}

function isObject(v: Value): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmpty(v: Value): boolean {
  return (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

function isMultiline(v: Value): v is string {
  return typeof v === 'string' && v.includes('\n') && !/[\r\t]/.test(v) && v === v.trimEnd() && !/^ /m.test(v);
}

/** The lines of `value` (an object or a list) at indent `pad`. */
function block(value: Value, pad: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if ((isObject(item) || Array.isArray(item)) && !isEmpty(item)) {
        const [first = '', ...rest] = block(item, `${pad}  `);
        return [`${pad}- ${first.slice(pad.length + 2)}`, ...rest];
      }
      return [`${pad}- ${isEmpty(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`];
    });
  }
  if (!isObject(value)) return [`${pad}${scalar(value)}`];
  return Object.entries(value).flatMap(([key, v]) => {
    const k = `${pad}${scalar(key)}:`;
    if (isEmpty(v)) return [`${k} ${Array.isArray(v) ? '[]' : '{}'}`];
    if (isObject(v) || Array.isArray(v)) return [k, ...block(v, `${pad}  `)];
    if (isMultiline(v)) return [`${k} |-`, ...v.split('\n').map((l) => (l === '' ? '' : `${pad}  ${l}`))];
    return [`${k} ${scalar(v)}`];
  });
}

/** `value` as a YAML document, without a trailing newline. */
export function toYaml(value: Value): string {
  return block(value, '').join('\n');
}
