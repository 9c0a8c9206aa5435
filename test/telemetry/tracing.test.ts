/**
 * Tracing, end to end (issue 14, point 1): with the SDK's in-memory exporter, a start from the
 * client is one trace: the client's `containerStart` (PRODUCER), the worker's `containerStart`
 * (CONSUMER) as its child through the job's `traceparent`, and under it the lease, the snapshot
 * load, each runtime call (`runc create`, `runc start`, with their exit status) and the commits;
 * runc itself reports the container running. A producer's malformed traceparent is refused. The
 * worker's log lines about a command carry the container's Id and name, the job, the node and the
 * trace id (issue 14, point 3).
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loggerOptions } from '../../src/log.js';
import { expect } from 'chai';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { execa } from 'execa';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Keys } from '../../src/store/keys.js';
import { redisOptionsFromUrl } from '../../src/store/redis.js';
import { startTracing, tracesExporterFrom, type Tracing } from '../../src/telemetry/index.js';
import { RUNC, startStack, type Stack } from '../helpers/stack.js';
import { rejection } from '../helpers/assert.js';

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const idOf = (s: ReadableSpan) => s.spanContext().spanId;
const startedAt = (s: ReadableSpan) => s.startTime[0] * 1e9 + s.startTime[1];
const endedAt = (s: ReadableSpan) => s.endTime[0] * 1e9 + s.endTime[1];

describe('telemetry: a span per command, from the client through the queue to runc', function () {
  this.timeout(30_000);
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let s: Stack;
  let queue: Queue;
  let conn: Redis;
  const lines: Array<Record<string, unknown>> = [];

  before(async () => {
    tracing = await startTracing({ exporter });
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...String(chunk).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
        done();
      },
    });
    s = await startStack('tracing', { log: pino(loggerOptions('debug', 'node-tracing'), sink) });
    conn = new Redis({ ...redisOptionsFromUrl(s.redis.url), maxRetriesPerRequest: null });
    const keys = new Keys(s.prefix);
    queue = new Queue(keys.nodeQueue(s.node), { connection: conn, prefix: keys.queuePrefix });
  });
  after(async () => {
    await queue?.close();
    conn?.disconnect();
    await s?.close();
    await tracing?.shutdown();
  });

  it('the span tree of a start: client -> job -> lease, snapshot load, runc create, runc start, commits', async () => {
    const created = await s.client.create({ name: 'traced', rootfs: s.rootfs, command: ['sleep', '1000'] });
    exporter.reset();
    const started = await s.client.start('traced');
    expect(started.State.Status).to.equal('running');
    // what runc itself reports
    expect((await s.runc(created.Id))?.status).to.equal('running');
    await tracing.flush();
    const spans = exporter.getFinishedSpans();

    const client = spans.filter((x) => x.name === 'containerStart' && x.kind === SpanKind.PRODUCER);
    expect(client, 'one client span').to.have.length(1);
    const root = client[0]!;
    expect(parentOf(root), 'the client span is the root').to.equal(undefined);
    expect(root.attributes['berth.command']).to.equal('start');

    const job = spans.filter((x) => x.name === 'containerStart' && x.kind === SpanKind.CONSUMER);
    expect(job, 'one worker span').to.have.length(1);
    const worker = job[0]!;
    expect(worker.spanContext().traceId).to.equal(root.spanContext().traceId);
    expect(parentOf(worker), "the worker's span is the client's child").to.equal(idOf(root));
    expect(worker.attributes['berth.command']).to.equal('start');
    expect(worker.attributes['berth.node']).to.equal(s.node);
    // the client's span lasts from the enqueue to the job's completion
    expect(startedAt(root)).to.be.at.most(startedAt(worker));
    expect(endedAt(root)).to.be.at.least(endedAt(worker));

    const children = spans.filter((x) => parentOf(x) === idOf(worker));
    const names = children.sort((a, b) => startedAt(a) - startedAt(b)).map((x) => x.name);
    // a start of a configured container creates it first (runc create under conmon), then starts it
    expect(names.filter((n) => n !== 'berth.commit')).to.deep.equal(['berth.lease', 'berth.snapshot.load', 'runc create', 'runc start']);
    expect(names.filter((n) => n === 'berth.commit').length, 'a commit per step').to.be.at.least(3);
    expect(names[names.length - 1], 'the last step is committed last').to.equal('berth.commit');

    const runcStart = children.find((x) => x.name === 'runc start')!;
    expect(runcStart.attributes).to.include({ 'berth.call': 'ociStart', 'runc.subcommand': 'start', 'runc.binary': 'runc', 'process.exit.code': 0, 'berth.container.id': created.Id });
    expect(runcStart.status.code).to.not.equal(SpanStatusCode.ERROR);
    const runcCreate = children.find((x) => x.name === 'runc create')!;
    expect(runcCreate.attributes).to.include({ 'berth.call': 'ociCreate', 'runc.subcommand': 'create', 'process.exit.code': 0 });
    expect(endedAt(runcCreate), 'create ends before start begins').to.be.at.most(startedAt(runcStart));

    // the context travelled in the job's data: its traceparent names the client's span
    const jobs = await queue.getJobs(['completed']);
    const startJob = jobs.find((j) => j.name === 'start' && (j.data as { container?: string }).container === created.Id);
    expect((startJob?.data as { traceparent?: string }).traceparent).to.equal(`00-${root.spanContext().traceId}-${idOf(root)}-01`);
  });

  it("a command's log lines carry the container's Id and name, the job, the node and the trace id", async () => {
    const c = await s.client.create({ name: 'logged', rootfs: s.rootfs, command: ['sleep', '1000'] });
    exporter.reset();
    lines.length = 0;
    await s.client.start('logged');
    const refused = await rejection(s.client.unpause('logged'));
    expect(refused.code).to.equal('ECTRSTATE');
    await tracing.flush();
    const about = lines.filter((l) => l['command'] !== undefined && l['job'] !== undefined);
    const msgs = about.map((l) => l['msg']);
    expect(msgs).to.include.members(['command applied', 'command refused', 'command failed']);
    const clients = exporter.getFinishedSpans().filter((x) => x.kind === SpanKind.PRODUCER);
    expect(clients.map((x) => x.name)).to.deep.equal(['containerStart', 'containerUnpause']);
    const traces = clients.map((x) => x.spanContext().traceId);
    for (const l of about) {
      expect(l, String(l['msg'])).to.include({ container: c.Id, name: 'logged', node: 'node-tracing' });
      expect(l['job'], String(l['msg'])).to.be.a('string').and.match(new RegExp(`^${c.Id}-\\d+$`));
      expect(traces, String(l['msg'])).to.include(l['trace_id']);
    }
    // each command's lines carry its own trace: the start's and the refused unpause's
    expect(about.find((l) => l['command'] === 'start')?.['trace_id']).to.equal(traces[0]);
    expect(about.find((l) => l['msg'] === 'command failed')?.['trace_id']).to.equal(traces[1]);
  });

  it("a runtime call that fails: its span is an ERROR with runc's exit status and words", async () => {
    const c = await s.client.create({ name: 'failing', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start('failing');
    // paused behind Berth's back: Berth's pause reaches runc, which refuses a paused container
    await execa(RUNC, ['--root', s.root, 'pause', c.Id]);
    exporter.reset();
    const e = await rejection(s.client.pause('failing'));
    expect(e.code).to.equal('EOCI');
    await tracing.flush();
    const pause = exporter.getFinishedSpans().find((x) => x.name === 'runc pause');
    expect(pause?.attributes).to.include({ 'runc.subcommand': 'pause', 'berth.error.code': 'EOCI', 'process.exit.code': 1 });
    expect(pause?.status.code).to.equal(SpanStatusCode.ERROR);
    expect(pause?.status.message).to.equal(e.message);
    expect((await s.runc(c.Id))?.status).to.equal('paused');
  });

  it('a job whose traceparent is malformed is refused, naming the field; nothing is applied', async () => {
    const events = new QueueEvents(queue.name, { connection: conn.duplicate(), prefix: new Keys(s.prefix).queuePrefix });
    try {
      await events.waitUntilReady();
      const job = await queue.add('stop', { container: 'traced', traceparent: '00-not-a-trace' });
      const reason = await job.waitUntilFinished(events).then(
        () => 'applied',
        (err: unknown) => (err as Error).message,
      );
      expect(reason).to.match(/^EINVAL: invalid job: traceparent: must be a W3C traceparent/);
      expect((await s.client.inspect('traced')).State.Status).to.equal('running');
    } finally {
      await events.close();
    }
  });

  it('OTEL_TRACES_EXPORTER: off by default; otlp, console or none; anything else is a clear error', () => {
    expect(tracesExporterFrom({})).to.equal('none');
    expect(tracesExporterFrom({ OTEL_TRACES_EXPORTER: 'console' })).to.equal('console');
    expect(tracesExporterFrom({ OTEL_TRACES_EXPORTER: 'otlp,console' })).to.equal('otlp');
    expect(() => tracesExporterFrom({ OTEL_TRACES_EXPORTER: 'jaeger' })).to.throw('`OTEL_TRACES_EXPORTER` must be one of otlp, console, none, got "jaeger"');
  });
});
