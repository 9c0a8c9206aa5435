/**
 * conmon's k8s-file log, read as bytes (notes §1.8): one record per line,
 * `<RFC3339Nano time> <stdout|stderr> <P|F> <bytes>\n`. A record's bytes never hold a newline
 * (conmon splits there) but may hold anything else: `\r`, invalid UTF-8. P marks a partial
 * record: a chunk of a line with no newline yet, or of a line longer than conmon's read buffer;
 * the next F record of the stream ends the line.
 *
 * K8sLogParser reads such a file incrementally, from a byte offset, never decoding: it joins
 * consecutive P records of one stream into one line and reports, with each line, the file offset
 * just after its last record, so a reader can resume exactly there. Lines come out in file
 * order: a record of the other stream while a line is open closes that line as a partial one
 * (its bytes go out before the other stream's, as they were written); so does reaching
 * `maxLineBytes` (a line is never held whole in memory beyond that). `flush()` gives up waiting
 * for the open line's end (the container wrote no newline yet, or its run is over).
 */

export type OutputStream = 'stdout' | 'stderr';

/** A line read from the log, or a piece of one (`partial`: no newline yet). */
export interface LogRecordLine {
  stream: OutputStream;
  /** conmon's time of the line's first record, as conmon wrote it. */
  time: string;
  /** The line's bytes, without its newline. */
  bytes: Buffer;
  /** True when the line has no newline yet: the next line of the stream continues it. */
  partial: boolean;
  /** The file offset just after the line's last record: where reading resumes after it. */
  end: number;
}

/** Lines longer than this are passed on in pieces of about this size (each but the last partial). */
export const MAX_LINE_BYTES = 1024 * 1024;

const NL = 0x0a;
const SP = 0x20;

interface OpenLine {
  stream: OutputStream;
  time: string;
  parts: Buffer[];
  size: number;
  end: number;
}

export class K8sLogParser {
  /** The file offset of the first byte not yet parsed as a complete record. */
  private parsed: number;
  /** Bytes after the last complete record of what was pushed (a record conmon is still writing). */
  private rest: Buffer = Buffer.alloc(0);
  private open: OpenLine | null = null;

  /** `offset`: where in the file the first pushed byte is. */
  constructor(
    offset: number,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {
    this.parsed = offset;
  }

  /** The offset the next pushed chunk must start at. */
  get offset(): number {
    return this.parsed + this.rest.length;
  }

  /** A line is open (P records with no F yet). */
  get pending(): boolean {
    return this.open !== null;
  }

  /** Parses the next bytes of the file; returns the lines they complete, in file order. */
  push(chunk: Buffer): LogRecordLine[] {
    const data = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    const out: LogRecordLine[] = [];
    let start = 0;
    for (let nl = data.indexOf(NL, start); nl >= 0; nl = data.indexOf(NL, start)) {
      this.record(data.subarray(start, nl), this.parsed + nl + 1, out);
      start = nl + 1;
    }
    this.parsed += start;
    // copied: the rest must not pin the whole chunk
    this.rest = start === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(start));
    return out;
  }

  /** The open line as a partial one (null when none is open): its records are consumed. */
  flush(): LogRecordLine | null {
    return this.close(true);
  }

  private record(rec: Buffer, end: number, out: LogRecordLine[]): void {
    const parsed = parseRecord(rec);
    if (!parsed) return; // not a record (a torn or foreign line): skipped
    const { time, stream, full, bytes } = parsed;
    if (this.open && this.open.stream !== stream) out.push(this.close(true)!);
    const open = (this.open ??= { stream, time, parts: [], size: 0, end });
    // copied: the chunk it points into may be reused for the next read, and must not be pinned
    open.parts.push(Buffer.from(bytes));
    open.size += bytes.length;
    open.end = end;
    if (full) out.push(this.close(false)!);
    else if (open.size >= this.maxLineBytes) out.push(this.close(true)!);
  }

  private close(partial: boolean): LogRecordLine | null {
    const o = this.open;
    if (!o) return null;
    this.open = null;
    const bytes = o.parts.length === 1 ? o.parts[0]! : Buffer.concat(o.parts, o.size);
    return { stream: o.stream, time: o.time, bytes, partial, end: o.end };
  }
}

/** One record's fields, or null when the line is not a k8s-file record. Never decodes the bytes. */
export function parseRecord(rec: Buffer): { time: string; stream: OutputStream; full: boolean; bytes: Buffer } | null {
  const sp1 = rec.indexOf(SP);
  if (sp1 <= 0) return null;
  const sp2 = rec.indexOf(SP, sp1 + 1);
  if (sp2 < 0) return null;
  const name = rec.toString('latin1', sp1 + 1, sp2);
  if (name !== 'stdout' && name !== 'stderr') return null;
  const tag = rec[sp2 + 1];
  const full = tag === 0x46; // F
  if (!full && tag !== 0x50) return null; // P
  const after = sp2 + 2;
  // "<tag> <bytes>", or just "<tag>" for an empty line
  if (after < rec.length && rec[after] !== SP) return null;
  return { time: rec.toString('latin1', 0, sp1), stream: name, full, bytes: rec.subarray(Math.min(after + 1, rec.length)) };
}
