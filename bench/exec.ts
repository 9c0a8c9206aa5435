/**
 * Part `exec`: a round trip of `exec NAME true` from the client (queued, run by the worker under
 * conmon --exec, its exit code back through the session's stream) against `runc exec` on the very
 * same container and `podman exec` on a Podman container of the same image; and the output
 * throughput of an exec that writes 100 MB (through the node-to-client stream) against `podman
 * exec` writing the same into a pipe. Timings are never asserted in tests.
 */
import { execa } from 'execa';
import { withScope } from './cleanup.js';
import { CREATE_FLAGS, GLOBAL, IMAGE, PODMAN, podman, removeAll, runPrefix } from './podman.js';
import { RUNC, startStack } from './stack.js';
import { nowMs, summarize, type Summary } from './stats.js';

export interface ExecOptions {
  /** Round trips timed per system (after `warmup` more). */
  samples: number;
  warmup: number;
  /** Bytes the throughput exec writes. */
  bytes: number;
  rootfs: string;
  podman: boolean;
}

export interface ExecResult {
  samples: number;
  /** `exec NAME true`, ms. */
  berth: Summary;
  runc: Summary;
  podman: Summary | null;
  /** MB/s (10^6 bytes) of a `bytes`-long exec output reaching the client. */
  throughput: { bytes: number; berth: number; podman: number | null };
}

const SLEEPER = ['sleep', '3600'];

async function timed(n: number, warmup: number, once: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const t0 = nowMs();
    await once();
    if (i >= warmup) out.push(nowMs() - t0);
  }
  return out;
}

export async function runExec(o: ExecOptions, log: (line: string) => void): Promise<ExecResult> {
  return withScope('exec', async (scope) => {
    const stack = await startStack(scope, { name: 'exec', concurrency: 8, rootfs: o.rootfs });
    const c = stack.client;
    const { Id } = await c.create({ name: 'exec-target', rootfs: o.rootfs, command: SLEEPER });
    await c.start(Id);
    scope.defer('berth exec target', () => c.remove(Id, { force: true }));

    const berth = await timed(o.samples, o.warmup, async () => {
      const code = await (await c.exec(Id, ['true'])).exitCode;
      if (code !== 0) throw new Error(`berth exec true exited ${code}`);
    });
    log(`  berth exec: ${berth.length} round trips`);
    const runc = await timed(o.samples, o.warmup, async () => {
      await execa(RUNC, ['--root', stack.root, 'exec', Id, 'true']);
    });
    log(`  runc exec: ${runc.length} round trips`);

    const t0 = nowMs();
    const session = await c.exec(Id, ['head', '-c', String(o.bytes), '/dev/zero']);
    let got = 0;
    for await (const chunk of session.stdout) got += (chunk as Buffer).length;
    if ((await session.exitCode) !== 0 || got < o.bytes) throw new Error(`berth exec output: ${got} of ${o.bytes} bytes`);
    const berthMBs = o.bytes / 1e6 / ((nowMs() - t0) / 1000);
    log(`  berth exec output: ${berthMBs.toFixed(0)} MB/s`);

    let pod: number[] | null = null;
    let podMBs: number | null = null;
    if (o.podman) {
      const name = `${runPrefix('exec')}target`;
      scope.defer('podman exec target', () => removeAll(runPrefix('exec')));
      await podman(['run', '-d', '--name', name, ...CREATE_FLAGS, IMAGE, ...SLEEPER]);
      pod = await timed(o.samples, o.warmup, async () => {
        await execa(PODMAN, [...GLOBAL, 'exec', name, 'true']);
      });
      log(`  podman exec: ${pod.length} round trips`);
      const p0 = nowMs();
      const run = execa(PODMAN, [...GLOBAL, 'exec', name, 'head', '-c', String(o.bytes), '/dev/zero'], { buffer: false, stdin: 'ignore' });
      let pgot = 0;
      run.stdout!.on('data', (d: Buffer) => (pgot += d.length));
      await run;
      podMBs = pgot / 1e6 / ((nowMs() - p0) / 1000);
      log(`  podman exec output: ${podMBs.toFixed(0)} MB/s`);
    }
    return {
      samples: o.samples,
      berth: summarize(berth),
      runc: summarize(runc),
      podman: pod ? summarize(pod) : null,
      throughput: { bytes: o.bytes, berth: berthMBs, podman: podMBs },
    };
  });
}

const f1 = (x: number | undefined | null) => (x === undefined || x === null || !Number.isFinite(x) ? '–' : x.toFixed(1));

export function execConsole(e: ExecResult): string {
  return [
    `\n8. exec: \`exec NAME true\` round trip, ms (${e.samples} each), and the output of an exec writing ${e.throughput.bytes / 1e6} MB`,
    `  Berth (client.exec)   p50 ${f1(e.berth.p50)}  p99 ${f1(e.berth.p99)}`,
    `  runc exec             p50 ${f1(e.runc.p50)}  p99 ${f1(e.runc.p99)}`,
    ...(e.podman ? [`  podman exec           p50 ${f1(e.podman.p50)}  p99 ${f1(e.podman.p99)}`] : []),
    `  output: Berth ${f1(e.throughput.berth)} MB/s${e.throughput.podman === null ? '' : `, podman exec ${f1(e.throughput.podman)} MB/s`}`,
  ].join('\n');
}

export function execMarkdown(e: ExecResult): string {
  const pod = e.podman ? `; \`podman exec\` p50 ${f1(e.podman.p50)}, p99 ${f1(e.podman.p99)}` : '';
  const podOut = e.throughput.podman === null ? '' : ` (\`podman exec\`: ${f1(e.throughput.podman)} MB/s)`;
  return `**exec**, \`exec NAME true\` round trip, ms (${e.samples} each): Berth p50 ${f1(e.berth.p50)}, p99 ${f1(e.berth.p99)}; \`runc exec\` on the same container p50 ${f1(e.runc.p50)}, p99 ${f1(e.runc.p99)}${pod}. Output of an exec writing ${e.throughput.bytes / 1e6} MB, through the stream to the client: ${f1(e.throughput.berth)} MB/s${podOut}.`;
}
