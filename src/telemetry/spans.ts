/**
 * Berth's spans, through the OpenTelemetry API only: without a tracer provider (tracing off, the
 * default) every call here is the API's no-op, so the hot path pays a few property reads. The
 * command span is named as the seed names its operations (`containerInit`, `containerStart`):
 * `container` + the command's name, capitalised, for every command of the command table.
 */
import { context, INVALID_SPAN_CONTEXT, propagation, ProxyTracerProvider, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';

export { SpanKind, SpanStatusCode };
export type { Attributes, Context, Span };

/** The instrumentation scope of every Berth span. */
export const TRACER_NAME = 'berth';

/** The seed's span name of a command: `start` -> `containerStart`, `execExited` -> `containerExecExited`. */
export function commandSpanName(command: string): string {
  return `container${command.charAt(0).toUpperCase()}${command.slice(1)}`;
}

/** The names of the child spans of a command on the worker. */
export const SPAN = Object.freeze({
  lease: 'berth.lease',
  snapshotLoad: 'berth.snapshot.load',
  commit: 'berth.commit',
  /** A runtime call: `runc <subcommand>` (runtimeCallSpanName). */
  runtime: 'runc',
});

export function runtimeCallSpanName(binary: string, subcommand: string): string {
  return `${binary} ${subcommand}`;
}

const tracer = () => trace.getTracer(TRACER_NAME);

/** The span handed to work while no tracer provider is set: records nothing. */
const NOOP_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * No tracer provider is set (tracing off, and no application set up an SDK): spans are skipped
 * outright, sparing the no-op span's context switch (about 5 µs a span).
 */
function off(): boolean {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider && provider.getDelegateTracer(TRACER_NAME) === undefined;
}

/** Is a span being recorded where we are (tracing on, and sampled)? */
export function tracing(): boolean {
  return trace.getActiveSpan()?.isRecording() === true;
}

function ended(span: Span, err: unknown): void {
  if (err !== undefined) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  }
  span.end();
}

/**
 * Runs `fn` in a new span, child of `parent` (default: the active context), active while it runs;
 * the span ends when `fn` settles, with an ERROR status when it throws.
 */
export async function inSpan<T>(name: string, opts: { kind?: SpanKind; attributes?: Attributes; parent?: Context }, fn: (span: Span) => Promise<T>): Promise<T> {
  if (off()) return fn(NOOP_SPAN);
  const parent = opts.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, ...(opts.attributes ? { attributes: opts.attributes } : {}) }, parent);
  try {
    const out = await context.with(trace.setSpan(parent, span), () => fn(span));
    ended(span, undefined);
    return out;
  } catch (err) {
    ended(span, err);
    throw err;
  }
}

/**
 * A span only as a child: runs `fn` in a new span when a span is being recorded where we are (a
 * command's), else as it is. The lease, snapshot load, runtime calls and commits use it, so that
 * work outside any command (an exit's drain before its own span begins) makes no orphan spans.
 */
export function inChildSpan<T>(name: string, opts: { kind?: SpanKind; attributes?: Attributes }, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracing() ? inSpan(name, opts, fn) : fn(NOOP_SPAN);
}

/** The W3C `traceparent` of the active span, for a job's data; undefined when nothing is traced. */
export function currentTraceparent(): string | undefined {
  if (!tracing()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'];
}

/** The context a job's `traceparent` names (the root context when it has none). */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (traceparent === undefined) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** The trace id of the active span, for log lines; undefined when nothing is traced. */
export function activeTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}
