/**
 * runc's own error reporting. Every call passes `--log <file> --log-format json`; on failure the
 * adapter reports the last error-level entry written during that call (containerd's shim does the
 * same), and falls back to the last line of stderr.
 */
import { open, readFile, stat } from 'node:fs/promises';

/** The current size of the log, so a call can read only what it appended. */
export async function logSize(path: string): Promise<number> {
  return stat(path).then(
    (st) => st.size,
    () => 0,
  );
}

/** The `msg` of the last `"level":"error"` JSON line written at or after `offset`, or ''. */
export async function lastLogError(path: string, offset = 0): Promise<string> {
  const handle = await open(path, 'r').catch(() => null);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    if (size <= offset) return '';
    const buf = Buffer.alloc(size - offset);
    await handle.read(buf, 0, buf.length, offset);
    return lastJsonError(buf.toString('utf8'));
  } finally {
    await handle.close();
  }
}

/** The last error message among JSON log lines (runc's logrus and crun's format alike). */
export function lastJsonError(text: string): string {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
      if (entry.level === 'error' && typeof entry.msg === 'string' && entry.msg.trim()) return oneLine(entry.msg);
    } catch {
      // a torn or foreign line: skip it
    }
  }
  return '';
}

/** The last non-empty line of stderr, without logrus's `time=… level=… msg=` decoration. */
export function lastStderrLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines.at(-1) ?? '';
  const json = last.startsWith('{') ? lastJsonError(last) : '';
  if (json) return json;
  const logrus = /^time="[^"]*" level=\w+ msg="(.*)"$/.exec(last);
  return logrus ? logrus[1]!.replace(/\\"/g, '"') : last;
}

/** Multi-line messages (CRIU's "…\nlog file: dump.log") joined with "; ". */
export function oneLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('; ');
}
