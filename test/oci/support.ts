/**
 * A private runc sandbox per test file: its own `runc --root` and stateDir under a fresh tmp dir,
 * the shared busybox rootfs, and a cleanup that deletes every container the file made.
 */
import { existsSync, watch } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { BerthError, type ErrorCode } from '../../src/errors.js';
import { ensureBusyboxRootfs, K8sLogParser, RuncRuntime, type ExitMonitor, type ExitRecord, type RuncOptions, type RuntimeSpec } from '../../src/oci/index.js';

export const RUNC = '/usr/sbin/runc';
export const CONMON = '/usr/bin/conmon';
export const SHARED_ROOTFS = join(tmpdir(), 'berth-test-rootfs');

export interface Sandbox {
  dir: string;
  root: string;
  stateDir: string;
  rootfs: string;
  runtime: RuncRuntime;
  /** Another adapter over the same sandbox (other binaries, say). */
  runtimeWith(options: Partial<RuncOptions>): RuncRuntime;
  spec(id: string, command: string[], extra?: Partial<RuntimeSpec>): RuntimeSpec;
  cleanup(): Promise<void>;
}

export async function makeSandbox(name: string): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), `berth-oci-${name}-`));
  const root = join(dir, 'runc');
  const stateDir = join(dir, 'state');
  const rootfs = await ensureBusyboxRootfs(SHARED_ROOTFS);
  const made: RuncRuntime[] = [];
  const runtimeWith = (options: Partial<RuncOptions>) => {
    const r = new RuncRuntime({ runtime: RUNC, conmon: CONMON, root, stateDir, ...options });
    made.push(r);
    return r;
  };
  const runtime = runtimeWith({});
  return {
    dir,
    root,
    stateDir,
    rootfs,
    runtime,
    runtimeWith,
    spec: (id, command, extra = {}) => ({ id, rootfs, command, env: [], workdir: '/', hostname: id, stopSignal: 'SIGTERM', run: 1, ...extra }),
    async cleanup() {
      for (const c of await runtime.list().catch(() => [])) await runtime.delete(c.id, { force: true }).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The lines of a k8s-file log (conmon's), read as the output shipper reads them; [] when there is none. */
export async function readLog(path: string): Promise<{ stream: string; time: string; text: string; partial: boolean }[]> {
  const file = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return Buffer.alloc(0);
    throw err;
  });
  const parser = new K8sLogParser(0);
  const lines = [...parser.push(file)];
  const open = parser.flush();
  if (open) lines.push(open);
  return lines.map((l) => ({ stream: l.stream, time: l.time, text: l.bytes.toString(), partial: l.partial }));
}

/** Collects a monitor's exits; `next(id)` resolves with the first exit of `id` not yet taken. */
export class ExitCollector {
  private readonly exits: ExitRecord[] = [];
  private readonly waiters: { id: string; resolve: (e: ExitRecord) => void }[] = [];

  constructor(readonly monitor: ExitMonitor) {}

  async start(): Promise<this> {
    await this.monitor.start((exit) => {
      const i = this.waiters.findIndex((w) => w.id === exit.id);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(exit);
      else this.exits.push(exit);
    });
    return this;
  }

  next(id: string): Promise<ExitRecord> {
    const i = this.exits.findIndex((e) => e.id === id);
    if (i >= 0) return Promise.resolve(this.exits.splice(i, 1)[0]!);
    return new Promise((resolve) => this.waiters.push({ id, resolve }));
  }

  /** Exits reported and not yet taken. */
  pending(): readonly ExitRecord[] {
    return [...this.exits];
  }

  close(): Promise<void> {
    return this.monitor.close();
  }
}

/** The BerthError a promise rejects with; fails the test if it resolves or throws anything else. */
export async function rejection(p: Promise<unknown>, code?: ErrorCode): Promise<BerthError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(BerthError);
    const e = err as BerthError;
    if (code !== undefined) expect(e.code, e.message).to.equal(code);
    return e;
  }
  throw new Error('expected a rejection');
}

/**
 * Resolves with the file's text once it matches `pattern`: re-read on every inotify change
 * (fs.watch) and once after the watch is set up, never polled. Rejects after `timeoutMs`.
 */
export function untilFileMatches(path: string, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: Error | null, text = '') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      watcher.close();
      if (err) reject(err);
      else resolve(text);
    };
    const check = () => {
      readFile(path, 'utf8').then(
        (text) => pattern.test(text) && finish(null, text),
        () => undefined, // not written yet
      );
    };
    const watcher = watch(path, { persistent: false }, check);
    watcher.on('error', (err) => finish(err));
    const timer = setTimeout(() => finish(new Error(`${path} did not match ${String(pattern)} within ${timeoutMs} ms`)), timeoutMs);
    check();
  });
}

/** The container's cgroup dir for `controller` (cgroup v1), or its one dir (v2). */
export function cgroupDir(controller: string, id: string): string {
  const v1 = join('/sys/fs/cgroup', controller);
  return existsSync(v1) ? join(v1, 'berth', id) : join('/sys/fs/cgroup', 'berth', id);
}
