/**
 * Part `logs`, `logs -f` latency: a container writes a line every 20 ms; a client follows it and
 * the clock runs from conmon's timestamp of the line (when conmon read it from the container's
 * pipe; the pipe itself adds microseconds) to the line reaching the client. Berth: the worker
 * (its own process) ships the log to the container's stream, the client (this process) follows
 * it with `client.logs(name, { follow: true })`. Against `podman logs -f -t`, timed the same way
 * from the timestamps it prints. Timings are never asserted in tests.
 */
import { execa } from 'execa';
import { rfc3339Nanos } from '../src/queue/log-time.js';
import { withScope } from './cleanup.js';
import { CREATE_FLAGS, GLOBAL, IMAGE, PODMAN, podman, removeAll, runPrefix } from './podman.js';
import { startStack } from './stack.js';
import { nowMs, summarize, type Summary } from './stats.js';

export interface LogsOptions {
  /** Lines timed (after `warmup` more). */
  samples: number;
  warmup: number;
  rootfs: string;
  podman: boolean;
}

export interface LogsResult {
  samples: number;
  /** conmon's timestamp of a line -> the line at a client following with client.logs. */
  berth: Summary;
  podman: Summary | null;
}

/** A line every 20 ms, for as long as it runs. */
const WRITER = ['sh', '-c', 'while :; do echo tick; sleep 0.02; done'];

/** Milliseconds since the epoch of conmon's RFC 3339 time (nanoseconds kept as a fraction). */
function conmonMs(time: string): number {
  const ns = rfc3339Nanos(time);
  if (ns === null) throw new Error(`unreadable conmon time "${time}"`);
  return Number(ns / 1000n) / 1000;
}

export async function runLogs(o: LogsOptions, log: (line: string) => void): Promise<LogsResult> {
  return withScope('logs', async (scope) => {
    const stack = await startStack(scope, { name: 'logs', concurrency: 8, rootfs: o.rootfs });
    const c = stack.client;
    const { Id } = await c.create({ name: 'logs-writer', rootfs: o.rootfs, command: WRITER });
    await c.start(Id);
    scope.defer('berth writer', () => c.remove(Id, { force: true, timeout: 0 }));
    const berth: number[] = [];
    const stream = c.logs(Id, { follow: true, tail: 0 });
    for await (const line of stream) {
      const ms = nowMs() - conmonMs(line.time);
      if (berth.push(ms) >= o.warmup + o.samples) break;
      if (berth.length % 100 === 0) log(`  berth: ${berth.length}/${o.warmup + o.samples} lines`);
    }

    let pod: number[] | null = null;
    if (o.podman) {
      const name = `${runPrefix('logs')}writer`;
      scope.defer('podman writer', () => removeAll(runPrefix('logs')));
      await podman(['run', '-d', '--name', name, ...CREATE_FLAGS, IMAGE, ...WRITER]);
      pod = await podmanFollow(name, o.warmup + o.samples);
      log(`  podman: ${pod.length} lines`);
    }
    return {
      samples: o.samples,
      berth: summarize(berth.slice(o.warmup)),
      podman: pod ? summarize(pod.slice(o.warmup)) : null,
    };
  });
}

/** `podman logs -f -t --tail 0`: each line's printed time to its arrival here, for `count` lines. */
export async function podmanFollow(name: string, count: number): Promise<number[]> {
  const follow = execa(PODMAN, [...GLOBAL, 'logs', '-f', '-t', '--tail', '0', name], { stdin: 'ignore', buffer: false, reject: false });
  const out: number[] = [];
  let rest = '';
  await new Promise<void>((resolve, reject) => {
    follow.stdout!.on('data', (d: Buffer) => {
      const at = nowMs();
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) {
        // podman prints the time with Z for UTC, otherwise with the offset conmon wrote
        const time = l.split(' ')[0] ?? '';
        out.push(at - conmonMs(time.replace(/Z$/, '+00:00')));
      }
      if (out.length >= count) resolve();
    });
    void follow.then((r) => reject(new Error(`podman logs -f exited (${String(r.exitCode)}) after ${out.length} lines`)));
  });
  follow.kill('SIGTERM');
  await follow;
  return out.slice(0, count);
}

export function logsConsole(l: LogsResult): string {
  const f1 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(1));
  return [
    `\n7. logs -f: conmon's timestamp of a line -> the line at a following client, ms (${l.samples} lines, one every 20 ms)`,
    `  Berth (client.logs, follow)  p50 ${f1(l.berth.p50)}  p99 ${f1(l.berth.p99)}  max ${f1(l.berth.max)}`,
    ...(l.podman ? [`  podman logs -f                p50 ${f1(l.podman.p50)}  p99 ${f1(l.podman.p99)}  max ${f1(l.podman.max)}`] : []),
  ].join('\n');
}

export function logsMarkdown(l: LogsResult): string {
  const f1 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(1));
  const pod = l.podman ? `; \`podman logs -f\` p50 ${f1(l.podman.p50)}, p99 ${f1(l.podman.p99)}` : '';
  return `**\`logs -f\` latency**, from conmon's timestamp of a line to the line at a following client, ms (${l.samples} lines, one every 20 ms): Berth p50 ${f1(l.berth.p50)}, p99 ${f1(l.berth.p99)}${pod}.`;
}
