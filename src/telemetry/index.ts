/**
 * Observability: OpenTelemetry spans (a span per command, named as the seed names them, with
 * child spans for the lease, the snapshot load, each runtime call and each commit; the context
 * travels in the job data as a W3C `traceparent`), the worker's Prometheus metrics (prom-client)
 * and their HTTP endpoint. Queue and actors import this folder; it imports no other folder but
 * the shared kernel (errors.ts). Off by default: without OTEL_TRACES_EXPORTER every span is the
 * OpenTelemetry API's no-op, and without a metrics port no metric is kept (prom-client is not
 * even loaded).
 */
export { activeTraceId, commandSpanName, contextFromTraceparent, currentTraceparent, inChildSpan, inSpan, runtimeCallSpanName, SPAN, SpanKind, SpanStatusCode, TRACER_NAME, tracing } from './spans.js';
export type { Attributes, Context, Span } from './spans.js';
export { TRACEPARENT_PATTERN, traceparentSchema } from './traceparent.js';
export { startTracing, tracesExporterFrom, TRACES_EXPORTERS } from './tracing.js';
export type { Tracing, TracesExporter, TracingOptions } from './tracing.js';
// metrics.ts (prom-client) is imported by the worker only when it serves metrics: not from here
export type { BerthMetrics, CommandMetrics, MetricSources } from './metrics.js';
export { DEFAULT_METRICS_HOST, MetricsServer, validateMetricsServerOptions } from './metrics-server.js';
export type { MetricsServerOptions } from './metrics-server.js';
