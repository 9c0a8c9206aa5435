/**
 * Part 2, throughput: COUNT containers through the full lifecycle (create, start, pause, unpause,
 * kill, wait, rm) at 1, 4, 8 and 16 at a time, for each system:
 *   berth       the TS API against a worker process (concurrency 16)
 *   runc        runc alone, from a shell script (no exit codes: wait polls `runc state`)
 *   conmon      conmon + runc from a shell script, as Podman drives them (the floor)
 *   podman-cli  the Podman CLI from a shell script
 *   podman-api  Podman's REST API (`podman system service`), from Node
 *   docker-cli  the Docker CLI from a shell script, against the bench's private dockerd (docker.ts)
 *   docker-api  Docker's Engine API on that dockerd's socket, from Node
 * Each run's containers are gone when it ends; anything left after a failure is removed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { buildConfig, loadSeccompProfile, nativeArch, readHardLimits } from '../src/oci/index.js';
import { withScope, type Scope } from './cleanup.js';
import { DOCKER_CLI, DOCKER_IMAGE, type Docker, type DockerApi } from './docker.js';
import { IMAGE, NETWORK, removeAll, runPrefix, startService, type PodmanApi } from './podman.js';
import { CONMON, RUNC, deleteAllRunc, machineCpu, startStack, type BerthStack } from './stack.js';
import { pool, round } from './stats.js';

export const SYSTEMS = ['berth', 'runc', 'conmon', 'podman-cli', 'podman-api', 'docker-cli', 'docker-api'] as const;
export type System = (typeof SYSTEMS)[number];

export const SYSTEM_LABELS: Record<System, string> = {
  berth: 'Berth (TS API)',
  runc: 'runc (shell)',
  conmon: 'conmon + runc (shell)',
  'podman-cli': 'Podman CLI',
  'podman-api': 'Podman REST API',
  'docker-cli': 'Docker CLI',
  'docker-api': 'Docker Engine API',
};

export interface ThroughputOptions {
  count: number;
  levels: number[];
  systems: System[];
  rootfs: string;
  /** Worker concurrency (at least the highest level). */
  workerConcurrency: number;
  /** The bench's private dockerd, for the docker systems. */
  docker?: Docker | undefined;
}

export interface ThroughputRun {
  system: System;
  parallel: number;
  count: number;
  seconds: number;
  perSecond: number;
  /** Berth only: CPU ms per container in the worker, the client (this process) and redis-server. */
  cpuPerContainer?: { worker: number; client: number; redis: number };
  /** The whole machine (every process and the kernel): CPU ms per container, and how busy it was (0-1). */
  machine?: { cpuPerContainer: number; busy: number };
  error?: string;
}

export interface ThroughputResult {
  count: number;
  levels: number[];
  workerConcurrency: number;
  runs: ThroughputRun[];
  /** system -> parallel -> containers/s */
  table: Record<string, Record<string, number>>;
}

const SCRIPT = fileURLToPath(new URL('./scripts/lifecycle.sh', import.meta.url));
const COMMAND = ['sleep', '1000'];

export async function runThroughput(o: ThroughputOptions, log: (line: string) => void): Promise<ThroughputResult> {
  return withScope('throughput', async (scope) => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-bench-tp-'));
    scope.defer(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    const config = join(dir, 'config.json');
    const spec = { id: 'bench', rootfs: o.rootfs, command: COMMAND, env: [], workdir: '/', hostname: 'bench', stopSignal: 'SIGTERM', run: 1 };
    const built = buildConfig(spec, { hardLimits: await readHardLimits(), seccompProfile: await loadSeccompProfile(), arch: nativeArch() });
    // one config.json copied into every bundle: without a cgroupsPath, runc gives each container
    // its own cgroup (/<id>), with the same pids limit
    delete (built['linux'] as { cgroupsPath?: string }).cgroupsPath;
    writeFileSync(config, JSON.stringify(built));

    const stack = o.systems.includes('berth') ? await startStack(scope, { name: 'tp', concurrency: o.workerConcurrency, rootfs: o.rootfs }) : undefined;
    const service = o.systems.includes('podman-api') ? await startService(scope, dir) : undefined;
    const podmanPrefix = runPrefix('tp');
    if (o.systems.some((s) => s.startsWith('podman'))) scope.defer('podman containers', () => removeAll(podmanPrefix));
    const docker = o.systems.some((s) => s.startsWith('docker')) ? o.docker : undefined;

    // warm-up, not recorded: page cache, JIT, podman's storage, the worker's first connections
    for (const system of o.systems) {
      const n = Math.min(4, o.count);
      const prefix = `${system.startsWith('podman') ? podmanPrefix : 'tp-'}${system}-warmup-`;
      const run = await measure(scope, { system, parallel: n, count: n, prefix, dir, config, rootfs: o.rootfs, stack, api: service?.api, docker });
      if (run.error) log(`  ${SYSTEM_LABELS[system]} warm-up failed: ${run.error}`);
    }
    const runs: ThroughputRun[] = [];
    for (const parallel of o.levels) {
      for (const system of o.systems) {
        const prefix = `${system.startsWith('podman') ? podmanPrefix : 'tp-'}${system}-${parallel}-`;
        const run = await measure(scope, { system, parallel, count: o.count, prefix, dir, config, rootfs: o.rootfs, stack, api: service?.api, docker });
        runs.push(run);
        const own = run.cpuPerContainer ? `; worker ${run.cpuPerContainer.worker}, client ${run.cpuPerContainer.client}, redis ${run.cpuPerContainer.redis}` : '';
        const cpu = run.machine ? ` (CPU ms per container: machine ${run.machine.cpuPerContainer}, ${Math.round(run.machine.busy * 100)} % busy${own})` : '';
        log(`  ${SYSTEM_LABELS[system].padEnd(22)} ${String(parallel).padStart(2)} at a time: ${run.error ? `FAILED (${run.error})` : `${run.perSecond.toFixed(1)} containers/s${cpu}`}`);
      }
    }
    const table: Record<string, Record<string, number>> = {};
    for (const r of runs) (table[r.system] ??= {})[String(r.parallel)] = r.perSecond;
    return { count: o.count, levels: o.levels, workerConcurrency: o.workerConcurrency, runs, table };
  });
}

interface MeasureArgs {
  system: System;
  parallel: number;
  count: number;
  prefix: string;
  dir: string;
  config: string;
  rootfs: string;
  stack: BerthStack | undefined;
  api: PodmanApi | undefined;
  docker: Docker | undefined;
}

async function measure(scope: Scope, a: MeasureArgs): Promise<ThroughputRun> {
  const names = Array.from({ length: a.count }, (_, i) => `${a.prefix}${i + 1}`);
  const base = { system: a.system, parallel: a.parallel, count: a.count };
  const t0 = performance.now();
  const cpu0 = a.system === 'berth' ? a.stack!.cpu() : undefined;
  const m0 = machineCpu();
  try {
    switch (a.system) {
      case 'berth':
        await pool(names, a.parallel, (name) => berthLifecycle(a.stack!, name, a.rootfs));
        break;
      case 'podman-api':
        await pool(names, a.parallel, (name) => apiLifecycle(a.api!, name));
        break;
      case 'docker-api':
        await pool(names, a.parallel, (name) => dockerApiLifecycle(a.docker!.api, name));
        break;
      default:
        await shell(scope, a);
    }
  } catch (err) {
    await leftovers(a);
    return { ...base, seconds: NaN, perSecond: NaN, error: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  }
  const seconds = (performance.now() - t0) / 1000;
  const m1 = machineCpu();
  const machine = { cpuPerContainer: round((m1.busy - m0.busy) / a.count, 1), busy: round((m1.busy - m0.busy) / (m1.total - m0.total), 2) };
  const run: ThroughputRun = { ...base, seconds: round(seconds, 3), perSecond: round(a.count / seconds, 2), machine };
  if (cpu0) {
    const cpu1 = a.stack!.cpu();
    const per = (k: 'worker' | 'client' | 'redis') => round((cpu1[k] - cpu0[k]) / a.count, 1);
    run.cpuPerContainer = { worker: per('worker'), client: per('client'), redis: per('redis') };
  }
  return run;
}

export async function berthLifecycle(stack: BerthStack, name: string, rootfs: string): Promise<void> {
  const c = stack.client;
  const { Id } = await c.create({ name, rootfs, command: COMMAND });
  await c.start(Id);
  await c.pause(Id);
  await c.unpause(Id);
  await c.kill(Id);
  const code = await c.wait(Id);
  if (code !== 137) throw new Error(`berth: ${name} exited with ${code}, not 137`);
  await c.remove(Id);
}

async function apiLifecycle(api: PodmanApi, name: string): Promise<void> {
  const id = await api.create(name, COMMAND);
  await api.ok('POST', `/containers/${id}/start`);
  await api.ok('POST', `/containers/${id}/pause`);
  await api.ok('POST', `/containers/${id}/unpause`);
  await api.ok('POST', `/containers/${id}/kill?signal=SIGKILL`);
  const code = Number(await api.ok('POST', `/containers/${id}/wait?condition=exited`));
  if (code !== 137) throw new Error(`podman API: ${name} exited with ${code}, not 137`);
  await api.ok('DELETE', `/containers/${id}`);
}

async function dockerApiLifecycle(api: DockerApi, name: string): Promise<void> {
  const id = await api.create(name, DOCKER_IMAGE, COMMAND);
  for (const step of ['start', 'pause', 'unpause', 'kill?signal=SIGKILL']) await api.ok('POST', `/containers/${id}/${step}`);
  const { StatusCode } = JSON.parse(await api.ok('POST', `/containers/${id}/wait`)) as { StatusCode: number };
  if (StatusCode !== 137) throw new Error(`docker API: ${name} exited with ${StatusCode}, not 137`);
  await api.ok('DELETE', `/containers/${id}`);
}

async function shell(scope: Scope, a: MeasureArgs): Promise<void> {
  const root = join(a.dir, `${a.system}-root`);
  const state = join(a.dir, `${a.system}-state`);
  mkdirSync(state, { recursive: true });
  const undo = scope.defer(`runc containers under ${root}`, () => deleteAllRunc(root));
  const mode = { 'podman-cli': 'podman', 'docker-cli': 'docker' }[a.system as string] ?? a.system;
  const docker = a.docker ? { DOCKER: DOCKER_CLI, DOCKER_HOST: `unix://${a.docker.api.socket}`, BENCH_DOCKER_IMAGE: DOCKER_IMAGE } : {};
  const r = await execa(SCRIPT, [mode, String(a.count), String(a.parallel), a.prefix], {
    env: { BENCH_ROOT: root, BENCH_STATE: state, BENCH_CONFIG: a.config, BENCH_IMAGE: IMAGE, BENCH_NETWORK: NETWORK, RUNC, CONMON, ...docker },
    stdin: 'ignore',
    reject: false,
  });
  await undo();
  if (r.exitCode !== 0) throw new Error(`${a.system} script failed (${String(r.exitCode)}): ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
}

/** After a failed run: the containers it left, in Berth or podman (runc ones go with their root). */
async function leftovers(a: MeasureArgs): Promise<void> {
  if (a.system.startsWith('podman')) await removeAll(a.prefix);
  if (a.system.startsWith('docker') && a.docker) await a.docker.removeAll(a.prefix);
  if (a.system === 'berth' && a.stack) {
    for (const c of await a.stack.client.list({ all: true })) {
      if (c.Name.startsWith(a.prefix)) await a.stack.client.remove(c.Id, { force: true, timeout: 0 }).catch(() => undefined);
    }
  }
}
