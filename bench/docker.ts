/**
 * Docker, as users would run it instead: Debian's docker.io (dockerd + the containerd it starts
 * itself + the same runc), started privately for the bench with `--iptables=false --bridge=none`,
 * its own data root, exec root, socket and pid file under a temp dir, so it touches neither the
 * host's network nor any system Docker. The busybox rootfs is imported as an image (`docker
 * import`). The scope stops dockerd (which stops its containerd), unmounts whatever it left
 * mounted under the temp dir and removes it. `startDocker` throws with dockerd's own error when it
 * cannot start on this host: run.ts prints that as a skip line.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { Scope } from './cleanup.js';
import { sleep } from './stats.js';
import { UnixSocketApi } from './unix-api.js';

export const DOCKER_IMAGE = 'berth-bench-docker:latest';
/** Debian's CLI, which matches its dockerd; a docker on PATH otherwise. */
export const DOCKER_CLI = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const CLI = DOCKER_CLI;
/** As Berth's and Podman's containers: a network namespace with only loopback, a pids limit of 2048. */
export const DOCKER_CREATE_FLAGS = ['--network', 'none', '--pids-limit', '2048'];

export interface Docker {
  version: string;
  /** One docker CLI command against the private daemon; resolves to stdout. */
  cli(args: string[]): Promise<string>;
  api: DockerApi;
  /** Removes the containers whose name starts with `prefix`. */
  removeAll(prefix: string): Promise<void>;
}

const mountsUnder = (dir: string): string[] =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(`${dir}/`))
    .reverse(); // innermost (mounted last) first

export async function startDocker(scope: Scope, rootfs: string): Promise<Docker> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-docker-'));
  scope.defer(`docker temp dir ${dir}`, async () => {
    for (const m of mountsUnder(dir)) await execa('umount', ['-l', m], { reject: false });
    rmSync(dir, { recursive: true, force: true });
  });
  const socket = join(dir, 'docker.sock');
  const args = ['--iptables=false', '--bridge=none', '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '-H', `unix://${socket}`, '--pidfile', join(dir, 'docker.pid')];
  const daemon: ResultPromise = execa('dockerd', args, { stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', reject: false, cleanup: true });
  scope.defer('dockerd', async () => {
    daemon.kill('SIGTERM');
    const t = setTimeout(() => daemon.kill('SIGKILL'), 15_000);
    await daemon;
    clearTimeout(t);
  });
  const api = new DockerApi(socket);
  scope.defer('docker API agent', () => api.close());
  const exited = daemon.then((r) => r);
  for (let i = 0; ; i++) {
    const done = await Promise.race([exited, sleep(100).then(() => null)]);
    if (done) {
      if (done.exitCode === undefined && done.signal === undefined) throw new Error(`dockerd could not be run (${String(done.originalMessage ?? done.shortMessage)}): apt-get install docker.io, or BERTH_BENCH_DOCKER=0`);
      const lines = String(done.stderr ?? '').split('\n').filter(Boolean);
      const why = lines.filter((l) => /level=(error|fatal)|failed/i.test(l)).at(-1) ?? lines.at(-1) ?? 'no output';
      throw new Error(`dockerd exited (${String(done.exitCode ?? done.signal)}): ${why.trim()}`);
    }
    try {
      if ((await api.call('GET', '/_ping')).status === 200) break;
    } catch {
      // not listening yet
    }
    if (i > 300) throw new Error('dockerd did not answer on its socket within 30 s');
  }
  const cli = async (a: string[]) => (await execa(CLI, ['-H', `unix://${socket}`, ...a], { stdin: 'ignore' })).stdout;
  const version = `Docker ${(await cli(['version', '--format', '{{.Server.Version}}'])).trim()}`;
  await execa('tar', ['-C', rootfs, '-c', '.']).pipe(CLI, ['-H', `unix://${socket}`, 'import', '-', DOCKER_IMAGE]);
  const removeAll = async (prefix: string) => {
    const ids = (await cli(['ps', '-aq', '--filter', `name=^/${prefix}`]).catch(() => '')).split('\n').filter(Boolean);
    if (ids.length) await cli(['rm', '-f', ...ids]).catch(() => undefined);
  };
  return { version, cli, api, removeAll };
}

/** Docker's Engine API over its unix socket (node:http, keep-alive). */
export class DockerApi extends UnixSocketApi {
  constructor(socket: string) {
    super(socket, '/v1.41', 'docker');
  }

  /** POST /containers/create, as `docker create --network none --pids-limit 2048 IMAGE CMD` sends it. */
  async create(name: string, image: string, command: string[]): Promise<string> {
    const r = await this.call('POST', `/containers/create?name=${encodeURIComponent(name)}`, { Image: image, Cmd: command, HostConfig: { NetworkMode: 'none', PidsLimit: 2048 } });
    if (r.status !== 201) throw new Error(`docker API create: ${r.status} ${r.body.slice(0, 300)}`);
    return (JSON.parse(r.body) as { Id: string }).Id;
  }
}
