/**
 * conmon's k8s-file log read as bytes (K8sLogParser): lines come through byte for byte (`\r`,
 * invalid UTF-8, lines over 64 KiB split into P records), with the offset to resume after each,
 * whatever the chunks the file is read in.
 */
import { expect } from 'chai';
import { K8sLogParser, parseRecord, type LogRecordLine } from '../../src/oci/index.js';

const T1 = '2026-11-28T14:59:57.204016773+00:00';
const T2 = '2026-11-28T14:59:57.555990405+00:00';

/** One k8s-file record, as conmon writes it. */
function rec(stream: 'stdout' | 'stderr', tag: 'P' | 'F', bytes: Buffer | string, time = T1): Buffer {
  return Buffer.concat([Buffer.from(`${time} ${stream} ${tag} `), Buffer.from(bytes), Buffer.from('\n')]);
}

/** All lines of `file`, pushed in chunks of `size` bytes. */
function parseAll(file: Buffer, size = file.length, from = 0): { lines: LogRecordLine[]; parser: K8sLogParser } {
  const parser = new K8sLogParser(from);
  const lines: LogRecordLine[] = [];
  for (let i = from; i < file.length; i += size) lines.push(...parser.push(file.subarray(i, Math.min(file.length, i + size))));
  return { lines, parser };
}

const view = (l: LogRecordLine) => ({ stream: l.stream, text: l.bytes.toString('latin1'), partial: l.partial, end: l.end });

describe('oci/k8s-log: K8sLogParser', () => {
  it('reads F records as lines, per stream, with the offset after each', () => {
    const a = rec('stdout', 'F', 'hello');
    const b = rec('stderr', 'F', 'err', T2);
    const { lines } = parseAll(Buffer.concat([a, b]));
    expect(lines.map(view)).to.deep.equal([
      { stream: 'stdout', text: 'hello', partial: false, end: a.length },
      { stream: 'stderr', text: 'err', partial: false, end: a.length + b.length },
    ]);
    expect(lines[1]!.time).to.equal(T2);
  });

  it('keeps \\r and invalid UTF-8 bytes as they are', () => {
    const bytes = Buffer.from([0x61, 0x0d, 0x62, 0xff, 0xfe, 0xc3, 0x28, 0x0d]);
    const { lines } = parseAll(rec('stdout', 'F', bytes));
    expect(lines).to.have.length(1);
    expect(lines[0]!.bytes.equals(bytes)).to.equal(true);
  });

  it('joins a line over 64 KiB from its P records, whatever the chunks the file is read in', () => {
    const line = Buffer.alloc(70_000 + 123);
    for (let i = 0; i < line.length; i++) line[i] = 0x21 + (i % 90);
    const records: Buffer[] = [];
    for (let i = 0; i < line.length; i += 8192) records.push(rec('stdout', i + 8192 >= line.length ? 'F' : 'P', line.subarray(i, i + 8192)));
    const file = Buffer.concat([...records, rec('stdout', 'F', 'next')]);
    for (const size of [file.length, 4096, 1000, 7]) {
      const { lines } = parseAll(file, size);
      expect(lines.map((l) => l.bytes.length), `chunks of ${size}`).to.deep.equal([line.length, 4]);
      expect(lines[0]!.bytes.equals(line)).to.equal(true);
      expect(lines[0]).to.include({ partial: false, time: T1, end: file.length - rec('stdout', 'F', 'next').length });
    }
  });

  it('holds a partial last record (conmon still writing it) until its newline comes', () => {
    const whole = rec('stdout', 'F', 'done');
    const parser = new K8sLogParser(0);
    expect(parser.push(whole.subarray(0, 20))).to.deep.equal([]);
    expect(parser.offset).to.equal(20);
    const lines = parser.push(whole.subarray(20));
    expect(lines.map(view)).to.deep.equal([{ stream: 'stdout', text: 'done', partial: false, end: whole.length }]);
  });

  it('holds an open line (P without F) until its F, or gives it up as partial on flush', () => {
    const p = rec('stdout', 'P', 'password: ');
    const parser = new K8sLogParser(100);
    expect(parser.push(p)).to.deep.equal([]);
    expect(parser.pending).to.equal(true);
    expect(view(parser.flush()!)).to.deep.equal({ stream: 'stdout', text: 'password: ', partial: true, end: 100 + p.length });
    expect(parser.flush()).to.equal(null);
    const f = rec('stdout', 'F', 'secret');
    expect(parser.push(f).map(view)).to.deep.equal([{ stream: 'stdout', text: 'secret', partial: false, end: 100 + p.length + f.length }]);
  });

  it('keeps nothing pointing into a pushed chunk: a reader may reuse its buffer for the next read', () => {
    const parser = new K8sLogParser(0);
    const buf = Buffer.from(rec('stdout', 'P', 'first-'));
    expect(parser.push(buf)).to.deep.equal([]);
    buf.fill(0x7a);
    const [line] = parser.push(rec('stdout', 'F', 'second'));
    expect(line!.bytes.toString()).to.equal('first-second');
  });

  it('keeps file order: a record of the other stream closes an open line as partial', () => {
    const { lines } = parseAll(Buffer.concat([rec('stdout', 'P', 'foo'), rec('stderr', 'F', 'bar'), rec('stdout', 'F', 'baz')]));
    expect(lines.map((l) => [l.stream, l.bytes.toString(), l.partial])).to.deep.equal([
      ['stdout', 'foo', true],
      ['stderr', 'bar', false],
      ['stdout', 'baz', false],
    ]);
  });

  it('passes a line longer than its bound on in pieces', () => {
    const parser = new K8sLogParser(0, 10);
    const lines = parser.push(Buffer.concat([rec('stdout', 'P', '123456'), rec('stdout', 'P', '7890ab'), rec('stdout', 'F', 'cd')]));
    expect(lines.map((l) => [l.bytes.toString(), l.partial])).to.deep.equal([
      ['1234567890ab', true],
      ['cd', false],
    ]);
  });

  it('keeps empty lines, and skips lines that are not records', () => {
    const file = Buffer.concat([Buffer.from(`${T1} stdout F\n`), Buffer.from('garbage\n\n'), rec('stdout', 'F', ''), Buffer.from(`${T1} stdin F x\n`)]);
    const { lines, parser } = parseAll(file);
    expect(lines.map((l) => l.bytes.length)).to.deep.equal([0, 0]);
    expect(parser.offset).to.equal(file.length);
  });

  it('parseRecord: the fields of one record, or null', () => {
    expect(parseRecord(Buffer.from(`${T1} stderr P a b`))).to.deep.include({ time: T1, stream: 'stderr', full: false });
    expect(parseRecord(Buffer.from(`${T1} stderr P a b`))!.bytes.toString()).to.equal('a b');
    expect(parseRecord(Buffer.from(`${T1} stderr X a`))).to.equal(null);
    expect(parseRecord(Buffer.from(`${T1} stderr Fx`))).to.equal(null);
    expect(parseRecord(Buffer.from(''))).to.equal(null);
  });
});
