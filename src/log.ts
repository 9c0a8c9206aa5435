/**
 * pino, JSON by default and pretty in a terminal. Every line carries the node; container and job
 * ids are added with `child({ container, job })` (or the line's object) wherever a line concerns one.
 * Secrets never reach a line: a URL's password is replaced with `***` wherever a URL can appear
 * (the fields in REDACT_PATHS, an error's message and stack, the message string itself), and a
 * field named `password` or `authorization` is censored whole. A line written while a span is
 * recorded (tracing on: OTEL_TRACES_EXPORTER) carries its `trace_id` and `span_id`, so a command's
 * lines join up with its trace.
 */
import { trace } from '@opentelemetry/api';
import { pino, type Logger, type LevelWithSilent, type LoggerOptions } from 'pino';
import { REDACTED, redactSecrets } from './redact.js';

export type { Logger };

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Fields where a URL, a password or an error text can appear, at the top and one level down; and
 * a container's environment (a spec's `env`, an inspect object's `Config.Env`), whose values are
 * hidden, keys kept (`DB_PASSWORD=hunter2` -> `DB_PASSWORD`), as the inspector hides them.
 */
export const REDACT_PATHS: readonly string[] = ['redis', 'url', 'password', 'authorization', 'err.message', 'err.stack', 'env', 'spec.env', 'Config.Env'].flatMap((p) => [p, `*.${p}`]);

/** Keys censored whole; in every other redacted field only URL passwords are replaced. */
const SECRET_KEYS = new Set(['password', 'authorization']);

/** Keys whose value is a KEY=VALUE list: the values are hidden. */
const ENV_KEYS = new Set(['env', 'Env']);

function censor(value: unknown, path: string[]): unknown {
  const key = path[path.length - 1] ?? '';
  if (SECRET_KEYS.has(key)) return REDACTED;
  if (ENV_KEYS.has(key)) return Array.isArray(value) ? value.map((e) => (typeof e !== 'string' ? REDACTED : e.includes('=') ? e.slice(0, e.indexOf('=')) : e)) : REDACTED;
  return typeof value === 'string' ? redactSecrets(value) : value;
}

/** The active span's ids, for a log line; nothing when no span is recorded (tracing off: one lookup). */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** The options every Berth logger gets: its level and node, the trace ids, and the redaction of secrets. */
export function loggerOptions(level: LevelWithSilent, node: string | null): LoggerOptions {
  return {
    level,
    // container and job ids are bound per line (child loggers) where a line concerns one; binding
    // them here as null too would print each key twice
    base: { node },
    mixin: traceFields,
    redact: { paths: [...REDACT_PATHS], censor },
    hooks: {
      // the message string (and printf-style arguments) may quote a URL too
      logMethod(args, method) {
        const clean = args.map((a: unknown) => (typeof a === 'string' ? redactSecrets(a) : a));
        return method.apply(this, clean as Parameters<typeof method>);
      },
    },
  };
}

export function createLogger(opts: { level?: string; node?: string; pretty?: boolean } = {}): Logger {
  const level = (opts.level ?? process.env['BERTH_LOG_LEVEL'] ?? 'info') as LevelWithSilent;
  if (!LOG_LEVELS.includes(level)) throw new Error(`\`--log-level\` must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  const pretty = opts.pretty ?? process.stderr.isTTY === true;
  const options = loggerOptions(level, opts.node ?? null);
  if (pretty) {
    return pino(options, pino.transport({ target: 'pino-pretty', options: { destination: 2, ignore: 'pid,hostname' } }));
  }
  return pino(options, pino.destination(2));
}
