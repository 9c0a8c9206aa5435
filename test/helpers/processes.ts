/**
 * Workers in processes of their own (test/fixtures/worker-process.ts), for tests that kill,
 * freeze or multiply them. Each resolves once its worker prints "ready".
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { TEST_ROOTFS } from './stack.js';

export interface WorkerProcess {
  proc: ResultPromise;
  /** Resolves with the first stdout line that matches. */
  line(match: RegExp): Promise<string>;
}

/**
 * A node's environment: its runc root and state dir are shared by all its worker processes; its
 * rootfs root is the tests' shared busybox rootfs.
 */
export function nodeEnv(redisUrl: string, prefix: string, node: string, extra: Record<string, string> = {}): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), `berth-${node}-`));
  return {
    BERTH_REDIS_URL: redisUrl,
    BERTH_PREFIX: prefix,
    BERTH_NODE: node,
    BERTH_RUNC_ROOT: join(dir, 'runc'),
    BERTH_STATE_DIR: join(dir, 'state'),
    BERTH_ROOTFS_ROOT: TEST_ROOTFS,
    ...extra,
  };
}

/**
 * `prefix` runs the worker under another command, e.g. nsenter into a network namespace;
 * `logFile` appends its stderr (its log) to a file instead of this process's stderr; `signal`
 * kills it (before or after it is ready).
 */
export function spawnWorker(env: Record<string, string>, opts: { prefix?: string[]; logFile?: string; signal?: AbortSignal } = {}): Promise<WorkerProcess> {
  const argv = [...(opts.prefix ?? []), 'node', '--import', 'tsx', 'test/fixtures/worker-process.ts'];
  const proc = execa(argv[0]!, argv.slice(1), {
    env,
    reject: false,
    stdout: 'pipe',
    stderr: opts.logFile === undefined ? 'inherit' : { file: opts.logFile, append: true },
    // aborting a start that hangs kills the process (SIGKILL: it may not be listening yet)
    ...(opts.signal ? { cancelSignal: opts.signal, killSignal: 'SIGKILL' as const } : {}),
  });
  let buffer = '';
  const listeners = new Set<() => void>();
  proc.stdout?.on('data', (d: Buffer) => {
    buffer += d.toString();
    for (const l of [...listeners]) l();
  });
  const line = (match: RegExp) =>
    new Promise<string>((resolve) => {
      const check = () => {
        const hit = buffer.split('\n').find((l) => match.test(l));
        if (hit !== undefined) {
          listeners.delete(check);
          resolve(hit);
        }
      };
      listeners.add(check);
      check();
    });
  // wrapped: a subprocess is a thenable, and resolving with it would wait for its exit
  return new Promise((resolve, reject) => {
    void line(/^ready$/).then(() => resolve({ proc, line }));
    void proc.then((r) => reject(new Error(`worker exited before ready: ${String(r.exitCode ?? r.signal)}`)));
  });
}
