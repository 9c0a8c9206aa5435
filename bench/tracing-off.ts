/**
 * Part `tracing`: what Berth's instrumentation costs a command while tracing is off (the default:
 * no OTEL_TRACES_EXPORTER), measured as the CPU time of the spans one command opens, on the
 * client and on the worker, run many times in a row: the client's span and its traceparent, the
 * worker's span from the job's traceparent, the lease, snapshot load, two runtime calls and two
 * commits as child spans, and a log line's trace id. Compared with a command's own latency, that
 * is the "nothing measurable" issue 14 asks for, in numbers.
 */
import { activeTraceId, commandSpanName, contextFromTraceparent, currentTraceparent, inChildSpan, inSpan, SpanKind, SPAN } from '../src/telemetry/index.js';

export interface TracingOffResult {
  commands: number;
  /** CPU microseconds of the instrumentation per command, tracing off. */
  cpuMicrosPerCommand: number;
  /** Wall microseconds of the same. */
  wallMicrosPerCommand: number;
}

const work = async (): Promise<number> => 1;

/** The spans of one command, in the order a start opens them. */
async function oneCommand(): Promise<void> {
  await inSpan(commandSpanName('start'), { kind: SpanKind.PRODUCER, attributes: { 'berth.command': 'start' } }, async () => {
    const traceparent = currentTraceparent();
    await inSpan(commandSpanName('start'), { kind: SpanKind.CONSUMER, parent: contextFromTraceparent(traceparent) }, async () => {
      await inChildSpan(SPAN.lease, {}, work);
      await inChildSpan(SPAN.snapshotLoad, {}, work);
      for (const call of ['runc create', 'runc start']) await inChildSpan(call, { attributes: { 'berth.call': call } }, work);
      for (let i = 0; i < 2; i++) await inChildSpan(SPAN.commit, {}, work);
      void activeTraceId();
    });
  });
}

export async function runTracingOff(o: { commands: number }, log: (line: string) => void): Promise<TracingOffResult> {
  for (let i = 0; i < 1000; i++) await oneCommand(); // warm-up: the JIT, the API's global lookups
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < o.commands; i++) await oneCommand();
  const wall = (performance.now() - t0) * 1000;
  const cpu = process.cpuUsage(cpu0);
  const result = {
    commands: o.commands,
    cpuMicrosPerCommand: Math.round(((cpu.user + cpu.system) / o.commands) * 100) / 100,
    wallMicrosPerCommand: Math.round((wall / o.commands) * 100) / 100,
  };
  log(`tracing off: ${result.cpuMicrosPerCommand} µs of CPU (${result.wallMicrosPerCommand} µs wall) per command's spans, over ${o.commands} commands`);
  return result;
}
