/**
 * Berth as a user gets it: `npm pack` of this checkout (its prepack builds dist), the tarball
 * installed into a fresh project or a global prefix with `npm install` (which reaches the npm
 * registry for the production dependencies), and `berth` run from there with no tsx and no
 * BERTH_FROM_SOURCE: the compiled CLI only.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

export const CHECKOUT = fileURLToPath(new URL('../../', import.meta.url));
/** npm's quiet flags; --prefer-offline reuses npm's cache when it has a package. */
const NPM_FLAGS = ['--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline'];

/**
 * npm's environment: the caller's (its registry, cache and proxy settings included), without
 * Berth's variables or what a parent npm (`npm test`) sets for its scripts: its lifecycle, its
 * package and its prefixes, which would point the child npm at the checkout.
 */
const PARENT_NPM = /^(BERTH_|npm_lifecycle_|npm_package_|npm_command$|npm_config_(local_prefix|global_prefix|prefix)$)/;

export function npmEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !PARENT_NPM.test(k)) env[k] = v;
  return env;
}

async function npm(args: readonly string[], cwd: string): Promise<string> {
  const r = await execa('npm', [...args], { cwd, env: npmEnv(), extendEnv: false, reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new Error(`npm ${args.join(' ')} failed (${String(r.exitCode)}): ${String(r.stderr).slice(-2000)}`);
  return String(r.stdout);
}

/**
 * Packs the checkout into `dir` (running its prepack: a clean build) and returns the tarball's
 * path. It packs a copy (node_modules linked): prepack empties dist/, which the rest of the suite,
 * running beside this test, starts the CLI from.
 */
export async function packCheckout(dir: string): Promise<string> {
  const copy = mkdtempSync(join(tmpdir(), 'berth-checkout-'));
  try {
    for (const entry of readdirSync(CHECKOUT)) {
      if (entry === 'node_modules' || entry === 'dist' || entry === '.git') continue;
      cpSync(join(CHECKOUT, entry), join(copy, entry), { recursive: true });
    }
    symlinkSync(join(CHECKOUT, 'node_modules'), join(copy, 'node_modules'));
    await npm(['pack', '--pack-destination', dir, ...NPM_FLAGS], copy);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`npm pack left ${tarballs.length} tarballs in ${dir}`);
  return join(dir, tarballs[0]!);
}

/** The files in a tarball, as `tar` lists them (package/…). */
export async function tarballFiles(tarball: string): Promise<string[]> {
  return String((await execa('tar', ['-tzf', tarball])).stdout).split('\n').filter(Boolean);
}

/** A new ESM project in `dir` with the tarball installed. */
export async function projectWith(tarball: string, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'berth-consumer', private: true, type: 'module' }, null, 2));
  await npm(['install', ...NPM_FLAGS, tarball], dir);
  return dir;
}

/** `npm install -g --prefix <dir> <tarball>`: `berth` in <dir>/bin. */
export async function installGlobally(tarball: string, prefix: string): Promise<string> {
  await npm(['install', '-g', '--prefix', prefix, ...NPM_FLAGS, tarball], tmpdir());
  return join(prefix, 'bin');
}

/** An environment for an installed `berth`: PATH, HOME and what is given; nothing else of Berth's. */
export function userEnv(extra: Record<string, string> = {}, pathFirst?: string): Record<string, string> {
  const path = process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin';
  return { PATH: pathFirst ? `${pathFirst}:${path}` : path, HOME: process.env['HOME'] ?? '/root', BERTH_LOG_LEVEL: 'info', ...extra };
}

/** Runs `cmd args…` in `cwd` to completion, never throwing. */
export async function run(cmd: string, args: readonly string[], cwd: string, env: Record<string, string>): Promise<{ code: number | undefined; stdout: string; stderr: string }> {
  const r = await execa(cmd, [...args], { cwd, env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 120_000 });
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/**
 * Starts the installed `berth worker` and resolves once it logs "worker ready" (pino's JSON on
 * stderr); rejects with its output if it exits first.
 */
export function startInstalledWorker(bin: string, args: readonly string[], cwd: string, env: Record<string, string>): Promise<{ proc: ResultPromise }> {
  const proc = execa(bin, [...args], { cwd, env, extendEnv: false, reject: false, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
  let seen = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('"msg":"worker ready"')) {
        proc.stderr?.off('data', onData);
        // wrapped: a subprocess is a thenable, and resolving with it would wait for its exit
        resolve({ proc });
      }
    };
    proc.stderr?.on('data', onData);
    void proc.then((r) => reject(new Error(`berth worker exited before ready (${String(r.exitCode ?? r.signal)}): ${seen}${String(r.stdout)}`)));
  });
}
