/**
 * Runs the real `berth` (bin/berth.js) as a subprocess with a curated environment: nothing from
 * the caller's BERTH_* variables leaks in. It runs the TypeScript source through tsx, unless
 * BERTH_TEST_DIST=1 (set by `npm test`, which builds dist/ first): the compiled CLI starts in
 * half the time, and the suite spawns it hundreds of times.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'berth.js');

export interface CliResult {
  code: number | undefined;
  stdout: string;
  stderr: string;
  ms: number;
}

/** What bin/berth.js should run: `1` for the source (a lone test file after an edit), `0` for dist. */
export const FROM_SOURCE = process.env['BERTH_TEST_DIST'] === '1' ? '0' : '1';

export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
    HOME: process.env['HOME'] ?? '/root',
    BERTH_FROM_SOURCE: FROM_SOURCE,
    BERTH_LOG_LEVEL: process.env['BERTH_TEST_LOG'] ?? 'silent',
    ...extra,
  };
}

/** Runs `berth ARGS…` to completion. */
export async function berth(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const started = Date.now();
  const r = await execa('node', [BIN, ...args], { cwd: ROOT, env: cliEnv(env), extendEnv: false, reject: false, timeout: 60_000 });
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), ms: Date.now() - started };
}

/** Starts a long-running `berth ARGS…` (up, worker); the caller ends it. */
export function spawnBerth(args: readonly string[], env: Record<string, string> = {}): ResultPromise<{ reject: false; buffer: false }> {
  return execa('node', [BIN, ...args], { cwd: ROOT, env: cliEnv(env), extendEnv: false, reject: false, buffer: false });
}

/** stderr as lines, without the trailing empty one. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}
