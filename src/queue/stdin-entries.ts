/**
 * The entries of a stdin stream (keys.source(...).stdin), written by clients (stdin-writer.ts) and
 * read by the node's forwarder (stdin-forwarder.ts): `k` is `d` (data, bytes in `b`), `r` (a
 * window resize, `h` rows and `w` columns) or `e` (EOF). Anyone who reaches Redis may write one, so
 * the forwarder reads them with parseStdinEntry, which turns whatever else it finds into null.
 */

/** The most bytes one data entry carries: what conmon reads of one attach packet. */
export const STDIN_ENTRY_MAX = 32 * 1024;
/** A terminal's rows or columns (the kernel's winsize fields are 16 bits). */
export const WINDOW_MAX = 65_535;

export type StdinEntry = { kind: 'data'; bytes: Buffer } | { kind: 'resize'; rows: number; cols: number } | { kind: 'eof' };

export function stdinFields(e: StdinEntry): Array<string | Buffer> {
  switch (e.kind) {
    case 'data':
      return ['k', 'd', 'b', e.bytes];
    case 'resize':
      return ['k', 'r', 'h', String(e.rows), 'w', String(e.cols)];
    case 'eof':
      return ['k', 'e'];
  }
}

export const isWindowSize = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= WINDOW_MAX;

/** The entry the stream holds, or null for one Berth's writers do not make. */
export function parseStdinEntry(fields: Buffer[]): StdinEntry | null {
  const f = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!.toString('latin1'), fields[i + 1]!);
  switch (f.get('k')?.toString('latin1')) {
    case 'd': {
      const bytes = f.get('b');
      return bytes ? { kind: 'data', bytes } : null;
    }
    case 'r': {
      const rows = Number(f.get('h')?.toString('latin1'));
      const cols = Number(f.get('w')?.toString('latin1'));
      return isWindowSize(rows) && isWindowSize(cols) ? { kind: 'resize', rows, cols } : null;
    }
    case 'e':
      return { kind: 'eof' };
    default:
      return null;
  }
}
