/**
 * The client's span of a command: `containerStart`, … (telemetry/spans.ts), kind PRODUCER, from
 * before its enqueue to its job's completion when the caller waits for it (`start()`), to its
 * enqueue when it does not (`enqueue()`). The job carries its context (submit.ts), so the
 * worker's span of the command is its child. A no-op unless tracing is on.
 */
import { commandSpanName, inSpan, SpanKind } from '../telemetry/index.js';

export function clientSpan<T>(command: string, target: string, fn: () => Promise<T>): Promise<T> {
  const attributes = { 'berth.command': command, ...(target ? { 'berth.container': target } : {}) };
  return inSpan(commandSpanName(command), { kind: SpanKind.PRODUCER, attributes }, fn);
}
