/**
 * Span names and the traceparent field, without Redis or runc: every command of the command table
 * (and create) has the seed's kind of span name, the names among them; the job contract's
 * `traceparent` takes W3C values and refuses others with one clear message; tracing off is the
 * API's no-op (no traceparent is sent).
 */
import { expect } from 'chai';
import { COMMAND_TABLE } from '../../src/machines/index.js';
import { parseJobCommand } from '../../src/queue/contract.js';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { commandSpanName, currentTraceparent, inSpan, traceparentSchema } from '../../src/telemetry/index.js';
import { StderrSpanExporter } from '../../src/telemetry/stderr-exporter.js';

describe('telemetry: span names and traceparent', () => {
  it("names each command's span as the seed does (containerInit, containerStart, …)", () => {
    const names = ['create', ...Object.keys(COMMAND_TABLE)].map(commandSpanName);
    expect(names).to.include.members([
      'containerInit',
      'containerStart',
      'containerStop',
      'containerKill',
      'containerPause',
      'containerUnpause',
      'containerRemove',
      'containerExec',
      'containerCreate',
      'containerExecExited',
    ]);
    expect(new Set(names).size).to.equal(names.length);
  });

  it('takes a W3C traceparent in a job and refuses anything else, naming the field', () => {
    const good = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(parseJobCommand({ command: 'start', container: 'web', traceparent: good })).to.include({ traceparent: good });
    for (const bad of ['00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'x', '']) {
      expect(traceparentSchema.safeParse(bad).success, bad).to.equal(false);
      expect(() => parseJobCommand({ command: 'start', container: 'web', traceparent: bad }), bad).to.throw(/^invalid job: traceparent: must be a W3C traceparent/);
    }
    expect(() => parseJobCommand({ command: 'start', container: 'web', traceparent: 7 })).to.throw(/^invalid job: traceparent: /);
  });

  it('with tracing off, a span is the no-op: nothing to send, the work still runs', async () => {
    const out = await inSpan('containerStart', {}, async (span) => {
      expect(span.isRecording()).to.equal(false);
      return currentTraceparent();
    });
    expect(out).to.equal(undefined);
  });

  it('the console exporter writes one JSON line per span (to stderr: stdout stays the command\'s)', async () => {
    const lines: string[] = [];
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new StderrSpanExporter((l) => void lines.push(l)))] });
    const tracer = provider.getTracer('berth');
    const parent = tracer.startSpan('containerStart', { kind: SpanKind.PRODUCER, attributes: { 'berth.command': 'start' } });
    parent.end();
    const failed = tracer.startSpan('runc pause', { attributes: { 'process.exit.code': 1 } });
    failed.setStatus({ code: SpanStatusCode.ERROR, message: 'runc pause failed: container not running' });
    failed.end();
    await provider.shutdown();
    expect(lines).to.have.length(2);
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).to.equal(true);
    const [a, b] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(a).to.include({ span: 'containerStart', kind: 'PRODUCER', status: 'ok', parentSpanId: null, traceId: parent.spanContext().traceId });
    expect(a!['attributes']).to.deep.equal({ 'berth.command': 'start' });
    expect(b).to.include({ span: 'runc pause', kind: 'INTERNAL', status: 'error', error: 'runc pause failed: container not running' });
    expect(b!['ms']).to.be.a('number').and.at.least(0);
  });
});
