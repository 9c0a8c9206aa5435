/**
 * `OTEL_TRACES_EXPORTER=console`: each span as one JSON line on stderr, where Berth's logs go too.
 * The SDK's ConsoleSpanExporter prints to stdout, which would mix spans into what a command
 * prints (`berth run -d` prints the Id that scripts capture); a line per span also suits `jq`.
 */
import { ExportResultCode, hrTimeToMicroseconds, type ExportResult } from '@opentelemetry/core';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export class StderrSpanExporter implements SpanExporter {
  constructor(private readonly write: (line: string) => void = (line) => void process.stderr.write(line)) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const s of spans) {
      const line = {
        span: s.name,
        kind: SpanKind[s.kind],
        traceId: s.spanContext().traceId,
        spanId: s.spanContext().spanId,
        parentSpanId: s.parentSpanContext?.spanId ?? null,
        start: new Date(hrTimeToMicroseconds(s.startTime) / 1000).toISOString(),
        ms: Math.round(hrTimeToMicroseconds(s.duration)) / 1000,
        status: s.status.code === SpanStatusCode.ERROR ? 'error' : 'ok',
        ...(s.status.message ? { error: s.status.message } : {}),
        attributes: s.attributes,
        service: s.resource.attributes['service.name'],
      };
      this.write(`${JSON.stringify(line)}\n`);
    }
    done({ code: ExportResultCode.SUCCESS });
  }

  async shutdown(): Promise<void> {}

  async forceFlush(): Promise<void> {}
}
