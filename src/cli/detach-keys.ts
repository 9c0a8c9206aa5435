/**
 * Detach keys, as Podman (and Docker) take them: `--detach-keys "ctrl-p,ctrl-q"` (the default), a
 * comma-separated sequence of single characters and `ctrl-<c>` with <c> one of a-z @ [ \ ] ^ _;
 * "" turns detaching off. The scanner sits on the CLI's stdin: bytes that begin the sequence are
 * held back until it completes (a detach: they are never sent) or breaks (they are sent then).
 */
import { BerthError } from '../errors.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

const CTRL_SPECIALS: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };

/** The byte sequence of a --detach-keys value; null for "" (no detaching). Throws EINVAL. */
export function parseDetachKeys(value: string): Buffer | null {
  if (value === '') return null;
  const bytes = value.split(',').map((key) => {
    const ctrl = /^ctrl-(.)$/i.exec(key);
    if (ctrl) {
      const c = ctrl[1]!.toLowerCase();
      if (c >= 'a' && c <= 'z') return c.charCodeAt(0) - 96;
      if (c in CTRL_SPECIALS) return CTRL_SPECIALS[c]!;
    } else if (key.length === 1 && key.charCodeAt(0) < 128) {
      return key.charCodeAt(0);
    }
    throw new BerthError('EINVAL', `invalid detach keys ${JSON.stringify(value.slice(0, 40))}: give a comma-separated list of characters and ctrl-<a-z, @, [, \\, ], ^ or _> (e.g. ctrl-p,ctrl-q), or "" for none`);
  });
  return Buffer.from(bytes);
}

/** What to send of a chunk read from stdin, and whether the detach sequence just completed. */
export interface Scanned {
  send: Buffer;
  detach: boolean;
}

export class DetachScanner {
  /** How many bytes of the sequence the input has matched so far (held back). */
  private matched = 0;

  constructor(private readonly keys: Buffer | null) {}

  scan(chunk: Buffer): Scanned {
    const keys = this.keys;
    if (!keys) return { send: chunk, detach: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === keys[this.matched]) {
        if (++this.matched === keys.length) return { send: Buffer.from(out), detach: true };
        continue;
      }
      // the sequence broke: what was held back goes out, and this byte may begin it again
      out.push(...keys.subarray(0, this.matched));
      this.matched = byte === keys[0] ? 1 : 0;
      if (this.matched === 0) out.push(byte);
    }
    return { send: Buffer.from(out), detach: false };
  }

  /** At EOF: the bytes still held back (a sequence begun and never completed). */
  flush(): Buffer {
    const held = this.keys ? this.keys.subarray(0, this.matched) : Buffer.alloc(0);
    this.matched = 0;
    return Buffer.from(held);
  }
}
