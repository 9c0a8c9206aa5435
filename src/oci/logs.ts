/**
 * conmon's k8s-file log format (notes §1.8): one record per line,
 * `<RFC3339Nano time> <stdout|stderr> <P|F> <bytes>`. P marks a partial record (no newline yet,
 * or a chunk of a long line); P records of a stream are joined up to its next F record. A partial
 * line still open at the end of the file is returned as it is.
 */
import type { LogLine } from './types.js';

type Stream = LogLine['stream'];
const RECORD = /^(\S+) (stdout|stderr) ([PF]) ?(.*)$/;

export function parseK8sLog(text: string): LogLine[] {
  const out: LogLine[] = [];
  const open = new Map<Stream, LogLine>();
  for (const record of text.split('\n')) {
    const m = RECORD.exec(record);
    if (!m) continue;
    const [, time = '', streamName, tag, body = ''] = m;
    const stream: Stream = streamName === 'stderr' ? 'stderr' : 'stdout';
    const pending = open.get(stream);
    const line: LogLine = pending ? { ...pending, text: pending.text + body } : { time, stream, text: body };
    if (tag === 'P') {
      open.set(stream, line);
    } else {
      open.delete(stream);
      out.push(line);
    }
  }
  out.push(...open.values());
  return out;
}
