/**
 * Part 1, per-command latency: each round takes one fresh container through create, start, pause,
 * unpause, kill (SIGUSR1: `sleep` as PID 1 ignores it, so the container lives on), stop -t 0 and rm,
 * three times: through Berth's TS API, through the raw runtime calls (raw.ts), and through the
 * Podman CLI. Systems take turns going first. For Berth, the worker's spans (worker.ts) also give
 * each sample's time outside runtime calls: what the queue, store and state machine cost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withScope } from './cleanup.js';
import { DOCKER_CREATE_FLAGS, DOCKER_IMAGE, type Docker } from './docker.js';
import { CREATE_FLAGS, IMAGE, podman, removeAll, runPrefix } from './podman.js';
import { RawRunc } from './raw.js';
import { deleteAllRunc, startStack, type BerthStack } from './stack.js';
import { nowMs, summarize, round, type Summary } from './stats.js';
import { runtimeTime } from './spans.js';

export const COMMANDS = ['create', 'start', 'pause', 'unpause', 'kill', 'stop', 'rm'] as const;
export type Command = (typeof COMMANDS)[number];

/** What the raw baseline does for each command (raw.ts), for the report. */
export const RAW_CALLS: Record<Command, string> = {
  create: 'none (a record in state configured)',
  start: 'conmon → runc create, runc start',
  pause: 'runc pause',
  unpause: 'runc resume',
  kill: 'runc kill',
  stop: 'runc kill KILL, wait for the exit file, runc delete',
  rm: 'remove the bundle (runc has no container left)',
};

export interface LatencyOptions {
  rounds: number;
  warmup: number;
  rootfs: string;
  podman: boolean;
  /** The bench's private dockerd: its CLI and Engine API get columns of their own. */
  docker?: Docker | undefined;
}

export interface CommandLatency {
  berth: Summary;
  runc: Summary | null;
  podman: Summary | null;
  /** Docker's CLI and Engine API (absent from runs without Docker). */
  dockerCli?: Summary | null;
  dockerApi?: Summary | null;
  /** p50(Berth) − p50(runc), p99(Berth) − p99(runc); for create (no runc call), Berth's own. */
  overheadP50: number;
  overheadP99: number;
  /** Per sample: Berth's latency minus the time its worker spent in runtime calls (and waiting for the exit). */
  outsideRuntime: Summary;
  /** Per sample: time in runtime calls, as the worker made them. */
  inRuntime: Summary;
  /** Runtime calls the worker made per command (median count). */
  runtimeCalls: string[];
}

export interface LatencyResult {
  rounds: number;
  commands: Record<Command, CommandLatency>;
}

interface Window {
  cmd: Command;
  id: string;
  t0: number;
  t1: number;
}

const SLEEPER = ['sleep', '1000'];

export async function runLatency(o: LatencyOptions, log: (line: string) => void): Promise<LatencyResult> {
  return withScope('latency', async (scope) => {
    const stack = await startStack(scope, { name: 'lat', concurrency: 8, rootfs: o.rootfs });
    const dir = mkdtempSync(join(tmpdir(), 'berth-bench-raw-'));
    scope.defer(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    const raw = new RawRunc(join(dir, 'runc'), join(dir, 'state'));
    scope.defer('raw runc containers', () => deleteAllRunc(raw.root));
    const prefix = runPrefix('lat');
    if (o.podman) scope.defer('podman containers', () => removeAll(prefix));

    const samples: Record<'berth' | 'runc' | 'podman' | 'dockerCli' | 'dockerApi', Record<Command, number[]>> = {
      berth: emptyRows(),
      runc: emptyRows(),
      podman: emptyRows(),
      dockerCli: emptyRows(),
      dockerApi: emptyRows(),
    };
    const windows: Window[] = [];
    const docker = o.docker;
    if (docker) scope.defer('docker containers', () => docker.removeAll('lat-docker'));
    type Sys = keyof typeof samples;
    const systems: Sys[] = ['berth', 'runc', ...(o.podman ? (['podman'] as const) : []), ...(docker ? (['dockerCli', 'dockerApi'] as const) : [])];
    for (let i = 0; i < o.warmup + o.rounds; i++) {
      const keep = i >= o.warmup;
      // take turns going first
      const order = systems.map((_, k) => systems[(i + k) % systems.length]!);
      for (const system of order) {
        if (system === 'berth') {
          const w = await berthRound(stack, `lat-${i}`, o.rootfs);
          if (keep) for (const x of w) {
            samples.berth[x.cmd].push(x.t1 - x.t0);
            windows.push(x);
          }
        } else if (system === 'runc') {
          const t = await rawRound(raw, `raw-${process.pid}-${i}`, o.rootfs);
          if (keep) for (const [cmd, ms] of t) samples.runc[cmd].push(ms);
        } else {
          const name = `${system === 'podman' ? prefix : `lat-${system}-`}${i}`;
          const t = system === 'podman' ? await podmanRound(name) : await dockerRound(docker!, system === 'dockerApi', name);
          if (keep) for (const [cmd, ms] of t) samples[system][cmd].push(ms);
        }
      }
      if ((i + 1) % 10 === 0) log(`  round ${i + 1}/${o.warmup + o.rounds}`);
    }

    const spans = await stack.spans(true);
    const commands = {} as Record<Command, CommandLatency>;
    for (const cmd of COMMANDS) {
      const inside: number[] = [];
      const outside: number[] = [];
      const calls: string[][] = [];
      for (const w of windows.filter((x) => x.cmd === cmd)) {
        const { ms, names } = runtimeTime(spans, w);
        inside.push(ms);
        outside.push(w.t1 - w.t0 - ms);
        calls.push(names);
      }
      const berth = summarize(samples.berth[cmd]);
      const runc = cmd === 'create' ? null : summarize(samples.runc[cmd]);
      const pod = o.podman ? summarize(samples.podman[cmd]) : null;
      commands[cmd] = {
        berth,
        runc,
        podman: pod,
        ...(docker ? { dockerCli: summarize(samples.dockerCli[cmd]), dockerApi: summarize(samples.dockerApi[cmd]) } : {}),
        overheadP50: round(berth.p50 - (runc?.p50 ?? 0)),
        overheadP99: round(berth.p99 - (runc?.p99 ?? 0)),
        outsideRuntime: summarize(outside),
        inRuntime: summarize(inside),
        runtimeCalls: mostCommon(calls),
      };
    }
    return { rounds: o.rounds, commands };
  });
}

function emptyRows(): Record<Command, number[]> {
  return Object.fromEntries(COMMANDS.map((c) => [c, [] as number[]])) as Record<Command, number[]>;
}

async function berthRound(stack: BerthStack, name: string, rootfs: string): Promise<Window[]> {
  const c = stack.client;
  const w: Window[] = [];
  const t0 = nowMs();
  const { Id: id } = await c.create({ name, rootfs, command: SLEEPER });
  w.push({ cmd: 'create', id, t0, t1: nowMs() });
  const step = async <T>(cmd: Command, fn: () => Promise<T>): Promise<T> => {
    const start = nowMs();
    const r = await fn();
    w.push({ cmd, id, t0: start, t1: nowMs() });
    return r;
  };
  await step('start', () => c.start(id));
  await step('pause', () => c.pause(id));
  await step('unpause', () => c.unpause(id));
  await step('kill', () => c.kill(id, { signal: 'SIGUSR1' }));
  const stopped = await step('stop', () => c.stop(id, { timeout: 0 }));
  if (stopped.State.ExitCode !== 137) throw new Error(`berth: ${name} stopped with ${stopped.State.ExitCode}, not 137`);
  await step('rm', () => c.remove(id));
  return w;
}

async function rawRound(raw: RawRunc, id: string, rootfs: string): Promise<[Command, number][]> {
  const out: [Command, number][] = [];
  const t = async (cmd: Command, fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    out.push([cmd, performance.now() - t0]);
  };
  await t('start', () => raw.start({ id, rootfs, command: SLEEPER, env: [], workdir: '/', hostname: id.slice(0, 63), stopSignal: 'SIGTERM', run: 1 }));
  await t('pause', () => raw.pause(id));
  await t('unpause', () => raw.resume(id));
  await t('kill', () => raw.kill(id, 'SIGUSR1'));
  await t('stop', async () => {
    const code = await raw.stop(id);
    if (code !== 137) throw new Error(`runc: ${id} stopped with ${code}, not 137`);
  });
  await t('rm', () => raw.remove(id));
  return out;
}

async function podmanRound(name: string): Promise<[Command, number][]> {
  const out: [Command, number][] = [];
  const t = async (cmd: Command, args: string[]) => {
    const t0 = performance.now();
    await podman(args);
    out.push([cmd, performance.now() - t0]);
  };
  await t('create', ['create', '--name', name, ...CREATE_FLAGS, IMAGE, ...SLEEPER]);
  await t('start', ['start', name]);
  await t('pause', ['pause', name]);
  await t('unpause', ['unpause', name]);
  await t('kill', ['kill', '--signal', 'SIGUSR1', name]);
  await t('stop', ['stop', '--time', '0', name]);
  await t('rm', ['rm', name]);
  return out;
}

/** The seven commands through Docker's CLI, or its Engine API (`api`), on the private dockerd. */
async function dockerRound(d: Docker, api: boolean, name: string): Promise<[Command, number][]> {
  const out: [Command, number][] = [];
  const t = async (cmd: Command, cli: string[], call: () => Promise<unknown>) => {
    const t0 = performance.now();
    await (api ? call() : d.cli(cli));
    out.push([cmd, performance.now() - t0]);
  };
  const post = (step: string) => () => d.api.ok('POST', `/containers/${name}/${step}`);
  await t('create', ['create', '--name', name, ...DOCKER_CREATE_FLAGS, DOCKER_IMAGE, ...SLEEPER], () => d.api.create(name, DOCKER_IMAGE, SLEEPER));
  await t('start', ['start', name], post('start'));
  await t('pause', ['pause', name], post('pause'));
  await t('unpause', ['unpause', name], post('unpause'));
  await t('kill', ['kill', '--signal', 'SIGUSR1', name], post('kill?signal=SIGUSR1'));
  await t('stop', ['stop', '--time', '0', name], post('stop?t=0'));
  await t('rm', ['rm', name], () => d.api.ok('DELETE', `/containers/${name}`));
  return out;
}

function mostCommon(lists: string[][]): string[] {
  const counts = new Map<string, { n: number; list: string[] }>();
  for (const l of lists) {
    const k = l.join(',');
    const e = counts.get(k) ?? { n: 0, list: l };
    e.n++;
    counts.set(k, e);
  }
  return [...counts.values()].sort((a, b) => b.n - a.n)[0]?.list ?? [];
}
