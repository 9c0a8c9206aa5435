/**
 * Turning tracing on: a tracer provider for the process, from the standard OTEL_* environment
 * (OTEL_TRACES_EXPORTER=otlp|console|none, default none; console: a JSON line per span on
 * stderr, stderr-exporter.ts; the OTLP/HTTP exporter reads
 * OTEL_EXPORTER_OTLP_ENDPOINT and its siblings itself; OTEL_SERVICE_NAME, default `berth`), or
 * from a given exporter (tests: the SDK's InMemorySpanExporter). Off, nothing is loaded: the SDK
 * is imported only here, lazily, and Berth's spans stay the API's no-ops.
 */
import { context, propagation, trace, type TextMapPropagator } from '@opentelemetry/api';
import { BerthError } from '../errors.js';

export const TRACES_EXPORTERS = ['otlp', 'console', 'none'] as const;
export type TracesExporter = (typeof TRACES_EXPORTERS)[number];

/** What startTracing takes: the environment (default process.env), or an exporter of the SDK's. */
export interface TracingOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** A SpanExporter (of @opentelemetry/sdk-trace-base), exported through a SimpleSpanProcessor: every span at its end. */
  exporter?: unknown;
}

export interface Tracing {
  /** The exporter in use; `none` means tracing is off and nothing was set up. */
  readonly exporter: TracesExporter | 'custom';
  /** Exports the spans ended so far. */
  flush(): Promise<void>;
  /** Flushes, then unregisters the provider (spans become no-ops again). Idempotent. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = Object.freeze({ exporter: 'none' as const, flush: async () => {}, shutdown: async () => {} });

/** OTEL_TRACES_EXPORTER, checked: one of TRACES_EXPORTERS (a list takes its first entry, as the SDK). */
export function tracesExporterFrom(env: Readonly<Record<string, string | undefined>>): TracesExporter {
  const raw = (env['OTEL_TRACES_EXPORTER'] ?? '').split(',')[0]!.trim().toLowerCase();
  if (raw === '') return 'none';
  if (!(TRACES_EXPORTERS as readonly string[]).includes(raw)) {
    throw new BerthError('EINVAL', `\`OTEL_TRACES_EXPORTER\` must be one of ${TRACES_EXPORTERS.join(', ')}, got "${env['OTEL_TRACES_EXPORTER']}"`);
  }
  return raw as TracesExporter;
}

/** Sets up tracing for this process as the environment (or `exporter`) says; off by default. */
export async function startTracing(opts: TracingOptions = {}): Promise<Tracing> {
  const env = opts.env ?? process.env;
  const kind = opts.exporter === undefined ? tracesExporterFrom(env) : 'custom';
  if (kind === 'none') return OFF;
  const [sdk, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
  ]);
  let processor;
  if (kind === 'custom') processor = new sdk.SimpleSpanProcessor(opts.exporter as ConstructorParameters<typeof sdk.SimpleSpanProcessor>[0]);
  else if (kind === 'console') processor = new sdk.BatchSpanProcessor(new (await import('./stderr-exporter.js')).StderrSpanExporter());
  else {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processor = new sdk.BatchSpanProcessor(new OTLPTraceExporter());
  }
  const provider = new sdk.BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env['OTEL_SERVICE_NAME'] || 'berth' }),
    spanProcessors: [processor],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const propagator: TextMapPropagator = new W3CTraceContextPropagator();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(propagator);
  trace.setGlobalTracerProvider(provider);
  let stopping: Promise<void> | undefined;
  return {
    exporter: kind,
    flush: () => provider.forceFlush(),
    shutdown() {
      stopping ??= (async () => {
        await provider.shutdown().catch(() => undefined);
        trace.disable();
        propagation.disable();
        context.disable();
      })();
      return stopping;
    },
  };
}
