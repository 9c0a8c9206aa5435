/**
 * Text that came from outside (a container's command, a name a producer chose, input echoed in an
 * error) made safe to show on a terminal: control characters, which could move the cursor, rewrite
 * the title or reprogram keys (ESC, CSI and the other C0/C1 codes, DEL), and the bidirectional
 * overrides that reorder what is shown, are written as escapes (`\x1b`, `\u009b`, `\n`). Nothing
 * else changes, so ordinary text prints as it is. `excerpt` also shortens it, for error messages.
 */

/** C0 controls, DEL, C1 controls, line/paragraph separators and the bidi embeddings, overrides and isolates. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.charCodeAt(0);
  return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control character escaped: "\x1b[2J" becomes the six characters `\x1b[2J`. */
export function printable(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** How much of an untrusted value an error message quotes. */
export const EXCERPT_MAX = 200;

/**
 * An untrusted value as an error message quotes it: escaped, and cut to about `max` characters
 * with how much was left out ("aaaa… (5000 characters)").
 */
export function excerpt(text: string, max: number = EXCERPT_MAX): string {
  const chars = Array.from(text);
  if (chars.length <= max) return printable(text);
  return `${printable(chars.slice(0, max).join(''))}… (${chars.length} characters)`;
}

/** `excerpt` in double quotes, for "got …" in validation messages. */
export function quoted(text: string, max: number = EXCERPT_MAX): string {
  return `"${excerpt(text, max)}"`;
}
