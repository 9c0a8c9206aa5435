/**
 * The baseline for per-command latency: the runtime calls each Berth command stands for, made
 * directly from Node in the cheapest way (node:child_process spawn with an argument array, no
 * shell, stderr kept for errors; same runc and conmon binaries, same config.json, a `runc --root`
 * of its own), with no queue, store or state machine in between.
 *
 *   create   nothing: like `podman create`, Berth's create writes a record; runc is not called
 *   start    write the bundle, conmon (runc create, sync fd a regular file) + `runc start`
 *   pause    `runc pause`          unpause  `runc resume`          kill  `runc kill ID SIG`
 *   stop -t0 `runc kill ID KILL`, wait for conmon's exit file, `runc delete`
 *   rm       remove the bundle, log and exit file (runc no longer has the container)
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { StateLayout, buildConfig, conmonArgs, loadSeccompProfile, nativeArch, parseSignal, readHardLimits } from '../src/oci/index.js';
import type { RuntimeSpec, SeccompProfile } from '../src/oci/index.js';
import { CONMON, RUNC } from './stack.js';

export class RawRunc {
  readonly layout: StateLayout;
  /** The node's default seccomp profile, read once, as the worker reads it. */
  private seccomp: Promise<SeccompProfile> | undefined;

  constructor(
    readonly root: string,
    stateDir: string,
  ) {
    this.layout = new StateLayout(stateDir);
  }

  private runc(args: string[]): Promise<void> {
    return run(RUNC, ['--root', this.root, ...args]);
  }

  async start(spec: RuntimeSpec): Promise<number> {
    const L = this.layout;
    const id = spec.id;
    await Promise.all([mkdir(L.persist(id, 1), { recursive: true }), mkdir(L.exits, { recursive: true }), mkdir(L.logs, { recursive: true })]);
    this.seccomp ??= loadSeccompProfile();
    const options = { hardLimits: await readHardLimits(), seccompProfile: await this.seccomp, arch: nativeArch() };
    await writeFile(L.config(id), JSON.stringify(buildConfig(spec, options)));
    const sync = await open(L.sync(id), 'w');
    const line = firstLine(L.sync(id));
    try {
      await run(CONMON, conmonArgs({ runtime: RUNC, root: this.root, id, run: 1, layout: L }), ['ignore', 'ignore', 'pipe', sync.fd], {
        ...process.env,
        _OCI_SYNCPIPE: '3',
      });
    } finally {
      await sync.close();
    }
    const { data } = JSON.parse(await line) as { data: number };
    if (!(data > 0)) throw new Error(`conmon create failed for ${id}: ${await line}`);
    await this.runc(['start', id]);
    return data;
  }

  pause(id: string) {
    return this.runc(['pause', id]);
  }
  resume(id: string) {
    return this.runc(['resume', id]);
  }
  kill(id: string, signal: string) {
    return this.runc(['kill', id, String(parseSignal(signal).number)]);
  }

  /** stop -t 0: SIGKILL, wait for the exit file, delete; resolves to the exit code. */
  async stop(id: string): Promise<number> {
    const exited = waitForFile(this.layout.exits, id);
    await this.runc(['kill', id, '9']);
    await exited;
    await this.runc(['delete', id]);
    return Number(await readFile(this.layout.exit(id), 'utf8'));
  }

  async remove(id: string): Promise<void> {
    await Promise.all([
      rm(this.layout.bundle(id), { recursive: true, force: true }),
      rm(this.layout.log(id), { force: true }),
      rm(this.layout.exit(id), { force: true }),
    ]);
  }
}

/** Runs a program to completion; rejects with its stderr unless it exits 0. */
export function run(bin: string, args: string[], stdio: StdioOptions = ['ignore', 'ignore', 'pipe'], env?: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio, ...(env ? { env } : {}) });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${bin} ${args.join(' ')}: exit ${String(code)}: ${stderr.trim()}`))));
  });
}

/** Resolves once `<dir>/<name>` exists (inotify, then one check). */
export function waitForFile(dir: string, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const path = `${dir}/${name}`;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      watcher.close();
      if (err) reject(err);
      else resolve();
    };
    const check = () => void stat(path).then(() => finish(), () => undefined);
    const watcher = watch(dir, (_e, f) => {
      if (f?.toString() === name) check();
    });
    watcher.on('error', (err) => finish(err));
    check();
  });
}

/** The first line conmon writes to its sync file. */
function firstLine(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let done = false;
    const check = () =>
      void readFile(path, 'utf8').then((text) => {
        const nl = text.indexOf('\n');
        if (nl >= 0 && !done) {
          done = true;
          watcher.close();
          resolve(text.slice(0, nl));
        }
      }, () => undefined);
    const watcher = watch(path, () => check());
    watcher.on('error', (err) => reject(err));
    check();
  });
}
