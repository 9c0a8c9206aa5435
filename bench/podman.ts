/**
 * Podman, as users would run it instead: the same busybox rootfs imported as an image, the same
 * runc (`podman --runtime runc`), and the rlimits this host needs (root lacks CAP_SYS_RESOURCE, so
 * Podman's default NOFILE/NPROC fail: shared/notes/oci-monitoring.md §6). The network is
 * `--network none`, as Berth's containers get by default (a network namespace with only loopback);
 * both run under Podman's default seccomp profile and pids limit. Set
 * BERTH_BENCH_PODMAN_NETWORK=host to compare with `--network host`.
 *
 * Two ways in: the CLI (execa, argument arrays) and the REST API of `podman system service` on a
 * unix socket (node:http, keep-alive). Every container is named with a per-run prefix and removed
 * by the scope, whatever happened.
 */
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { Scope } from './cleanup.js';
import { sleep } from './stats.js';
import { UnixSocketApi } from './unix-api.js';

export const PODMAN = 'podman';
export const IMAGE = 'localhost/berth-bench:latest';
export const NETWORK = process.env['BERTH_BENCH_PODMAN_NETWORK'] ?? 'none';
export const GLOBAL = ['--runtime', 'runc'];
export const CREATE_FLAGS = ['--network', NETWORK, '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

export async function podmanAvailable(): Promise<string | null> {
  const r = await execa(PODMAN, ['--version'], { reject: false });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** `tar -C rootfs -c . | podman import - IMAGE`, as two processes piped, no shell. */
export async function importImage(scope: Scope, rootfs: string): Promise<void> {
  await execa('tar', ['-C', rootfs, '-c', '.']).pipe(PODMAN, ['import', '-', IMAGE]);
  scope.defer(`podman image ${IMAGE}`, () => execa(PODMAN, ['rmi', '--force', IMAGE], { reject: false }));
}

/** One podman CLI command; resolves to stdout. */
export async function podman(args: string[]): Promise<string> {
  const r = await execa(PODMAN, [...GLOBAL, ...args], { stdin: 'ignore' });
  return r.stdout;
}

/** Removes every podman container whose name starts with `prefix` (and that prefix only). */
export async function removeAll(prefix: string): Promise<void> {
  const r = await execa(PODMAN, ['ps', '-a', '--filter', `name=^${prefix}`, '--format', '{{.Names}}'], { reject: false });
  const names = r.exitCode === 0 ? r.stdout.split('\n').filter((n) => n.startsWith(prefix)) : [];
  for (let i = 0; i < names.length; i += 50) {
    await execa(PODMAN, [...GLOBAL, 'rm', '--force', '--time', '0', ...names.slice(i, i + 50)], { reject: false });
  }
}

/** Containers of earlier bench runs that were killed outright (their bench process is gone). */
export async function removeStale(): Promise<void> {
  const r = await execa(PODMAN, ['ps', '-a', '--filter', 'name=^berth-bench-', '--format', '{{.Names}}'], { reject: false });
  const pids = new Set<number>();
  for (const name of r.exitCode === 0 ? r.stdout.split('\n') : []) {
    const pid = Number(/^berth-bench-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !alive(pid)) pids.add(pid);
  }
  for (const pid of pids) await removeAll(`berth-bench-${pid}-`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A prefix unique to this run, so cleanup touches nothing else. */
export function runPrefix(part: string): string {
  return `berth-bench-${process.pid}-${part}-`;
}

export interface PodmanService {
  socket: string;
  api: PodmanApi;
}

/** `podman --runtime runc system service --time 0 unix://…` in `dir`; stopped by the scope. */
export async function startService(scope: Scope, dir: string): Promise<PodmanService> {
  const socket = join(dir, 'podman.sock');
  const proc: ResultPromise = execa(PODMAN, [...GLOBAL, 'system', 'service', '--time', '0', `unix://${socket}`], {
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
    reject: false,
    cleanup: true,
  });
  scope.defer('podman system service', async () => {
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await proc;
    clearTimeout(t);
  });
  const api = new PodmanApi(socket);
  scope.defer('podman API agent', () => api.close());
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`podman system service exited: ${String((await proc).stderr)}`);
    try {
      if ((await api.call('GET', '/_ping')).status === 200) break;
    } catch {
      // not listening yet
    }
    if (i > 200) throw new Error('podman system service did not answer within 10 s');
    await sleep(50);
  }
  return { socket, api };
}

/** Podman's libpod REST API over its unix socket. */
export class PodmanApi extends UnixSocketApi {
  constructor(socket: string) {
    super(socket, '/v4.0.0/libpod', 'podman');
  }

  /** POST /containers/create with the same settings as the CLI (`r_limits` are needed on this host). */
  async create(name: string, command: string[]): Promise<string> {
    const body = await this.ok('POST', '/containers/create', {
      name,
      image: IMAGE,
      command,
      netns: { nsmode: NETWORK },
      r_limits: [
        { type: 'nofile', hard: 1024, soft: 1024 },
        { type: 'nproc', hard: 1024, soft: 1024 },
      ],
    });
    return (JSON.parse(body) as { Id: string }).Id;
  }
}
