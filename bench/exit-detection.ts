/**
 * Part 4, exit detection: a running container's process is SIGKILLed from the host (the moment of
 * the exit), and the clock stops when Berth's events stream shows the container stopped with exit
 * code 137, as a client following it sees it. Against `podman wait` (the CLI, already waiting when
 * the process is killed; it returns the exit code). The worker's spans split Berth's figure into
 * kill → exit file seen by the worker (conmon, inotify) and the rest (queue, actor, commit, feed).
 */
import { execa } from 'execa';
import { withScope } from './cleanup.js';
import { CREATE_FLAGS, GLOBAL, IMAGE, PODMAN, podman, removeAll, runPrefix } from './podman.js';
import { startStack } from './stack.js';
import { nowMs, sleep, summarize, type Summary } from './stats.js';

export interface ExitOptions {
  samples: number;
  warmup: number;
  rootfs: string;
  podman: boolean;
}

export interface ExitResult {
  samples: number;
  berth: Summary;
  /** Berth: kill → the worker saw conmon's exit file. */
  berthExitSeen: Summary;
  /** Berth: exit file seen → a client saw `stopped` with the code. */
  berthAfterSeen: Summary;
  podmanWait: Summary | null;
}

export async function runExitDetection(o: ExitOptions, log: (line: string) => void): Promise<ExitResult> {
  return withScope('exit-detection', async (scope) => {
    const stack = await startStack(scope, { name: 'exit', concurrency: 8, rootfs: o.rootfs });
    const prefix = runPrefix('exit');
    if (o.podman) scope.defer('podman containers', () => removeAll(prefix));
    const c = stack.client;
    const berth: number[] = [];
    const killedAt = new Map<string, { t0: number; t1: number }>();
    const pod: number[] = [];

    for (let i = 0; i < o.warmup + o.samples; i++) {
      const keep = i >= o.warmup;
      // Berth
      const { Id } = await c.create({ name: `exit-${i}`, rootfs: o.rootfs, command: ['sleep', '1000'] });
      const { State } = await c.start(Id);
      const { cursor } = await c.store.readWithCursor(Id);
      const stopped = c.eventFeed().waitFor(cursor, (e) => e.id === Id && ['stopped', 'exited', 'removed'].includes(e.state.State.Status));
      await sleep(20); // let the feed's XREAD settle, as a waiting client would be
      const t0 = nowMs();
      process.kill(State.Pid, 'SIGKILL');
      const e = await stopped;
      const t1 = nowMs();
      if (e.state.State.ExitCode !== 137) throw new Error(`berth: exit-${i} stopped with ${e.state.State.ExitCode}, not 137`);
      if (keep) {
        berth.push(t1 - t0);
        killedAt.set(Id, { t0, t1 });
      }
      await c.remove(Id, { force: true, timeout: 0 });

      // Podman
      if (o.podman) {
        const name = `${prefix}${i}`;
        await podman(['run', '-d', '--name', name, ...CREATE_FLAGS, IMAGE, 'sleep', '1000']);
        const pid = Number(await podman(['inspect', '--format', '{{.State.Pid}}', name]));
        const wait = execa(PODMAN, [...GLOBAL, 'wait', name], { stdin: 'ignore' });
        await sleep(500); // `podman wait` is up and polling
        const p0 = performance.now();
        process.kill(pid, 'SIGKILL');
        const r = await wait;
        const ms = performance.now() - p0;
        if (r.stdout.trim() !== '137') throw new Error(`podman: ${name} exited with ${r.stdout}, not 137`);
        if (keep) pod.push(ms);
        await podman(['rm', '--force', name]);
      }
      if ((i + 1) % 10 === 0) log(`  sample ${i + 1}/${o.warmup + o.samples}`);
    }

    const spans = await stack.spans(true);
    const seen: number[] = [];
    const after: number[] = [];
    for (const [id, k] of killedAt) {
      const exit = spans.find((s) => s.id === id && s.call === 'exit' && s.t1 >= k.t0);
      if (!exit) continue;
      seen.push(exit.t1 - k.t0);
      after.push(k.t1 - exit.t1);
    }
    return {
      samples: o.samples,
      berth: summarize(berth),
      berthExitSeen: summarize(seen),
      berthAfterSeen: summarize(after),
      podmanWait: o.podman ? summarize(pod) : null,
    };
  });
}
