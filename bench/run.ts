/**
 * `npm run bench`: Berth side by side with raw runc, conmon + runc and Podman, on this machine,
 * in one run (see bench/README.md). `npx tsx bench/run.ts --report bench/results/<file>.json`
 * re-renders the tables, latest.svg and latest.md from an earlier run. Prints the tables, writes bench/results/<time>.json,
 * bench/results/latest.svg (the chart) and bench/results/latest.md (the README's Performance
 * section). Timings are never asserted in tests.
 *
 *   BERTH_BENCH_QUICK=1          reduced rounds and containers (about 2 minutes)
 *   BERTH_BENCH_PARTS=a,b        a subset of latency,throughput,scale,exit,pool,floor,logs,exec,chaos,pull,images,tracing
 *   BERTH_BENCH_SYSTEMS=a,b      a subset of berth,runc,conmon,podman-cli,podman-api,docker-cli,docker-api (throughput)
 *   BERTH_BENCH_COUNT=N          containers per throughput run
 *   BERTH_BENCH_LEVELS=1,8       throughput concurrency levels
 *   BERTH_BENCH_ROUNDS=N         latency rounds
 *   BERTH_BENCH_PODMAN=0         leave Podman out
 *   BERTH_BENCH_DOCKER=0         leave Docker out (one private dockerd for latency, throughput and images: docker.ts)
 *   BERTH_BENCH_PODMAN_NETWORK   podman's --network (default none, as Berth's containers)
 *   BERTH_BENCH_WORKER_NODE_ARGS node flags for the worker process (e.g. --cpu-prof)
 *   BERTH_BENCH_WORKER=tsx       run the worker through tsx instead of compiling it with tsc first
 *   BERTH_BENCH_CHAOS_SECONDS=N  seconds of chaos load (default 60; quick 20)
 *   BERTH_BENCH_CHAOS_CONTAINERS=N  containers under chaos (default 40; quick 16)
 *   BERTH_CHAOS_SEED=N           repeat the chaos part's choices
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ensureBusyboxRootfs } from '../src/oci/index.js';
import { withScope } from './cleanup.js';
import { runExitDetection } from './exit-detection.js';
import { runTracingOff, type TracingOffResult } from './tracing-off.js';
import { runLatency } from './latency.js';
import { NETWORK, importImage, podmanAvailable, removeStale } from './podman.js';
import { consoleReport, evaluateTargets, markdownReport, svgReport, type Environment, type Results } from './report.js';
import { runScale } from './scale.js';
import { CONMON, RUNC, compileWorker } from './stack.js';
import { round } from './stats.js';
import { SYSTEMS, runThroughput, type System } from './throughput.js';
import { runPool } from './pool.js';
import { runFloor } from './floor.js';
import { runLogs } from './logs.js';
import { runExec } from './exec.js';
import { chaosConsole, runChaosPart, type ChaosResult } from './chaos.js';
import { runPull, type PullResult } from './pull.js';
import { startDocker, type Docker } from './docker.js';
import { runImages } from './images.js';

/** The chaos part's figures ride along in the results JSON; report.ts renders the others. */
type AllResults = Results & { chaos?: ChaosResult; pull?: PullResult; tracing?: TracingOffResult };

const QUICK = process.env['BERTH_BENCH_QUICK'] === '1';
const PARTS = new Set((process.env['BERTH_BENCH_PARTS'] ?? 'latency,throughput,scale,exit,pool,floor,logs,exec,chaos,pull,images,tracing').split(',').map((s) => s.trim()));
const COMMAND = QUICK ? 'BERTH_BENCH_QUICK=1 npm run bench' : 'npm run bench';

const ROUNDS = Number(process.env['BERTH_BENCH_ROUNDS'] ?? 0);

const CONFIG = QUICK
  ? {
      latency: { rounds: 10, warmup: 2 },
      throughput: { count: 10, levels: [1, 4, 8, 16] },
      scale: { levels: [10, 500, 2000], rounds: 3, running: 3 },
      exit: { samples: 8, warmup: 2 },
      logs: { samples: 100, warmup: 10 },
      exec: { samples: 20, warmup: 3, bytes: 20e6 },
      chaos: { containers: 16, seconds: 20 },
    }
  : {
      latency: { rounds: 50, warmup: 3 },
      throughput: { count: 100, levels: [1, 4, 8, 16] },
      scale: { levels: [10, 1000, 10_000], rounds: 15, running: 3 },
      exit: { samples: 40, warmup: 3 },
      logs: { samples: 500, warmup: 20 },
      exec: { samples: 100, warmup: 5, bytes: 100e6 },
      chaos: { containers: 40, seconds: 60 },
    };

const log = (line: string) => console.log(line);

async function version(cmd: string, args: string[], pick = (s: string) => s.split('\n')[0]!.trim()): Promise<string> {
  const r = await execa(cmd, args, { reject: false });
  return r.exitCode === 0 ? pick(r.stdout) : `${cmd} missing`;
}

async function commitOf(): Promise<string> {
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const head = await execa('git', ['rev-parse', '--short', 'HEAD'], { cwd, reject: false });
  if (head.exitCode !== 0) return 'unknown';
  const dirty = await execa('git', ['status', '--porcelain', '--', 'src'], { cwd, reject: false });
  return `${head.stdout.trim()}${dirty.stdout.trim() ? '+dirty' : ''}`;
}

async function environment(podman: string | null): Promise<Environment> {
  return {
    at: new Date().toISOString(),
    quick: QUICK,
    host: hostname(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.versions.node,
    runc: await version(RUNC, ['--version'], (s) => /runc version (\S+)/.exec(s)?.[1] ?? s.split('\n')[0]!),
    conmon: await version(CONMON, ['--version'], (s) => /conmon version (\S+)/.exec(s)?.[1] ?? s.split('\n')[0]!),
    podman,
    redis: await version('redis-server', ['--version'], (s) => `Redis ${/v=(\S+)/.exec(s)?.[1] ?? '?'}`),
    podmanNetwork: NETWORK,
    worker: process.env['BERTH_BENCH_WORKER_JS'] ? `prebuilt ${process.env['BERTH_BENCH_WORKER_JS']}` : 'tsx',
    loadStart: loadavg()[0]!,
    commit: await commitOf(),
  };
}

async function main(): Promise<number> {
  const started = performance.now();
  for (const [what, path] of [['runc', RUNC], ['conmon', CONMON]] as const) {
    if ((await execa(path, ['--version'], { reject: false })).exitCode !== 0) throw new Error(`${what} (${path}) is missing: run bash scripts/setup.sh`);
  }
  const podmanVersion = process.env['BERTH_BENCH_PODMAN'] === '0' ? null : await podmanAvailable();
  if (!podmanVersion && process.env['BERTH_BENCH_PODMAN'] !== '0') log('bench: podman is missing (apt-get install podman): Podman columns are left out');
  const usePodman = podmanVersion !== null;
  const results: AllResults = { env: await environment(podmanVersion), seconds: {}, errors: {} };
  log(`Berth benchmark${QUICK ? ' (quick mode)' : ''}: ${[...PARTS].join(', ')}`);

  await withScope('run', async (scope) => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
    scope.defer(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    const rootfs = await ensureBusyboxRootfs(join(dir, 'rootfs'));
    if (process.env['BERTH_BENCH_WORKER'] !== 'tsx' && !process.env['BERTH_BENCH_WORKER_JS']) {
      try {
        process.env['BERTH_BENCH_WORKER_JS'] = await compileWorker(join(dir, 'build'));
        results.env.worker = 'compiled with tsc, plain node';
      } catch (err) {
        log(`bench: could not compile the worker (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); running it with tsx`);
      }
    }
    if (usePodman) {
      await removeStale();
      await importImage(scope, rootfs);
    }
    // Docker (issue #15): one private dockerd for the parts that compare with it, or why not
    let docker: Docker | { skipped: string } = { skipped: 'BERTH_BENCH_DOCKER=0' };
    if (process.env['BERTH_BENCH_DOCKER'] !== '0' && ['latency', 'throughput', 'images'].some((p) => PARTS.has(p))) {
      docker = await startDocker(scope, rootfs).catch((err: unknown) => ({ skipped: err instanceof Error ? err.message : String(err) }));
      if ('skipped' in docker) log(`bench: docker skipped: ${docker.skipped}`);
      else results.env.docker = docker.version;
    }
    const dockerUp = 'skipped' in docker ? undefined : docker;
    const part = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
      if (!PARTS.has(name)) return undefined;
      log(`\n== ${name}`);
      const t0 = performance.now();
      try {
        return await fn();
      } catch (err) {
        results.errors[name] = err instanceof Error ? (err.stack ?? err.message) : String(err);
        log(`${name} failed: ${results.errors[name]}`);
        return undefined;
      } finally {
        results.seconds[name] = round((performance.now() - t0) / 1000, 1);
      }
    };
    const rounds = ROUNDS || CONFIG.latency.rounds;
    results.latency = await part('latency', () => runLatency({ ...CONFIG.latency, rounds, rootfs, podman: usePodman, docker: dockerUp }, log));
    const systems = (process.env['BERTH_BENCH_SYSTEMS']?.split(',') ?? [...SYSTEMS]).filter(
      (s): s is System => (SYSTEMS as readonly string[]).includes(s) && (usePodman || !s.startsWith('podman')) && (dockerUp !== undefined || !s.startsWith('docker')),
    );
    const count = Number(process.env['BERTH_BENCH_COUNT'] ?? CONFIG.throughput.count);
    const levels = process.env['BERTH_BENCH_LEVELS']?.split(',').map(Number) ?? CONFIG.throughput.levels;
    results.throughput = await part('throughput', () =>
      runThroughput({ count, levels, systems, rootfs, workerConcurrency: Math.max(16, ...levels), docker: dockerUp }, log),
    );
    results.scale = await part('scale', () => runScale({ ...CONFIG.scale, rootfs }, log));
    results.exit = await part('exit', () => runExitDetection({ ...CONFIG.exit, rootfs, podman: usePodman }, log));
    results.pool = await part('pool', () =>
      runPool({ rootfs, count: QUICK ? 20 : 100, parallel: 8, concurrency: 8, workers: [1, 2, 4] }, log),
    );
    results.floor = await part('floor', () => runFloor(QUICK ? { samples: 50, warmup: 10 } : { samples: 200, warmup: 30 }, log));
    results.logs = await part('logs', () => runLogs({ ...CONFIG.logs, rootfs, podman: usePodman }, log));
    results.exec = await part('exec', () => runExec({ ...CONFIG.exec, rootfs, podman: usePodman }, log));
    const chaos = {
      containers: Number(process.env['BERTH_BENCH_CHAOS_CONTAINERS'] ?? CONFIG.chaos.containers),
      seconds: Number(process.env['BERTH_BENCH_CHAOS_SECONDS'] ?? CONFIG.chaos.seconds),
      ...(process.env['BERTH_CHAOS_SEED'] ? { seed: Number(process.env['BERTH_CHAOS_SEED']) } : {}),
    };
    results.chaos = await part('chaos', () => withScope('chaos', (s) => runChaosPart(s, chaos, log)));
    // images (issue #11): MB/s of a ~100 MB pull from a loopback registry, printed and kept in the JSON
    results.pull = await part('pull', () => runPull({ rootfs, rounds: QUICK ? 1 : 3, megabytes: 100, podman: usePodman }, log));
    // images (issue #11): create-from-image latency vs podman and docker create, disk use of 100 containers of one image
    results.images = await part('images', () => runImages({ rootfs, count: QUICK ? 10 : 50, warmup: 2, disk: 100, podman: usePodman, docker }, log));
    // observability (issue #14): the spans' cost per command with tracing off (the default)
    results.tracing = await part('tracing', () => runTracingOff({ commands: QUICK ? 20_000 : 100_000 }, log));
  });

  results.seconds['total'] = round((performance.now() - started) / 1000, 1);
  results.env.loadEnd = loadavg()[0]!;
  results.targets = evaluateTargets(results);
  log(`\n${consoleReport(results)}`);
  if (results.chaos) log(chaosConsole(results.chaos));
  const out = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  const file = join(out, `${results.env.at.replace(/[:.]/g, '-')}${QUICK ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(out, 'latest.svg'), svgReport(results));
  writeFileSync(join(out, 'latest.md'), markdownReport(results, COMMAND));
  log(`\nwrote ${file}, ${join(out, 'latest.svg')} and ${join(out, 'latest.md')} (${results.seconds['total']} s)`);
  return Object.keys(results.errors).length === 0 ? 0 : 1;
}

/** `run.ts --report FILE`: prints and re-renders latest.svg and latest.md from a results file. */
function rerender(file: string): number {
  const results = JSON.parse(readFileSync(file, 'utf8')) as AllResults;
  results.targets = evaluateTargets(results);
  log(consoleReport(results));
  if (results.chaos) log(chaosConsole(results.chaos));
  const out = fileURLToPath(new URL('./results/', import.meta.url));
  writeFileSync(join(out, 'latest.svg'), svgReport(results));
  writeFileSync(join(out, 'latest.md'), markdownReport(results, results.env.quick ? 'BERTH_BENCH_QUICK=1 npm run bench' : 'npm run bench'));
  log(`\nwrote ${join(out, 'latest.svg')} and ${join(out, 'latest.md')} from ${file}`);
  return 0;
}

(process.argv[2] === '--report' && process.argv[3] ? Promise.resolve(rerender(process.argv[3])) : main()).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
