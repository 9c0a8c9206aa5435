/**
 * Separate "hosts" on one machine, for tests that need Berth nodes which do not share a network:
 * a network namespace per host (`ip netns add`), joined to the root namespace by a veth pair with
 * a /30 of its own (10.77.<m>.1 on the root side, 10.77.<m>.2 inside; m = 26 × the lab's slot + n,
 * the slot a lab holds while it exists, so that labs of test files running side by side never
 * share an address). A host reaches the root
 * namespace (and a Redis bound to its veth address) and nothing else: no default route, and no
 * route to the other hosts. Everything runs through execa argument arrays, never a shell.
 *
 * Workers are entered into a namespace with `nsenter --net=/run/netns/<ns>`, not `ip netns exec`:
 * `ip netns exec` also unshares the mount namespace and remounts /sys for the new network
 * namespace, which hides /sys/fs/cgroup, so runc inside it cannot create containers (on cgroup v1
 * it finds no cgroup mounts at all). nsenter enters the network namespace only; runc, conmon and
 * the filesystem stay the host's, as they would be on a real host.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { spawnWorker, type WorkerProcess } from './processes.js';
import { redisReady } from './redis.js';

export interface NetnsHost {
  /** The namespace's name, as `ip netns list` shows it. */
  ns: string;
  /** Its bind mount: /run/netns/<ns>. */
  path: string;
  /** The veth end in the root namespace, and its address (the "router" this host sees). */
  hostIf: string;
  hostAddr: string;
  /** The address of the host inside its namespace. */
  nsAddr: string;
}

const NOT_PERMITTED = /operation not permitted|permission denied|cannot create namespace/i;

/** Runs `ip` with arguments; throws with its stderr when it fails. */
async function ip(args: string[]): Promise<void> {
  const r = await execa('ip', args, { reject: false });
  if (r.exitCode !== 0) throw new Error(`ip ${args.join(' ')} failed (${String(r.exitCode)}): ${String(r.stderr).trim()}`);
}

/** Where labs claim their address slots: a dir per slot, holding the claiming process's pid. */
const SLOTS = '/run/berth-test-netns';
const MAX_SLOTS = 9; // 9 × 26 hosts stay within the third octet

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims a free slot (mkdir is atomic); a slot whose claimer died is taken over. */
function claimSlot(): number {
  mkdirSync(SLOTS, { recursive: true });
  for (let k = 0; k < MAX_SLOTS; k++) {
    const dir = join(SLOTS, String(k));
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(dir, 'pid'), 'utf8'));
      } catch {
        continue; // being claimed right now
      }
      if (owner === process.pid || alive(owner)) continue;
      writeFileSync(join(dir, 'pid'), String(process.pid));
      return k;
    }
    writeFileSync(join(dir, 'pid'), String(process.pid));
    return k;
  }
  throw new Error(`all ${MAX_SLOTS} netns address slots in ${SLOTS} are held by live processes`);
}

/** The namespaces and veths of one test run, all named after its pid; `remove()` undoes them all. */
export class NetnsLab {
  readonly hosts: NetnsHost[] = [];
  private readonly made = new Set<string>();
  private slot: number | null = null;

  constructor(readonly tag: string = String(process.pid)) {}

  /**
   * Tries `ip netns add` for the first host. Resolves to a reason to skip when the kernel or the
   * sandbox does not permit network namespaces, to null otherwise; other failures throw.
   */
  async probe(): Promise<string | null> {
    const ns = `berth-${this.tag}-probe`;
    const r = await execa('ip', ['netns', 'add', ns], { reject: false });
    if (r.exitCode === 0) {
      await ip(['netns', 'delete', ns]);
      return null;
    }
    const err = String(r.stderr).trim();
    if (NOT_PERMITTED.test(err)) return `\`ip netns add\` is not permitted here: ${err}`;
    throw new Error(`ip netns add ${ns} failed (${String(r.exitCode)}): ${err}`);
  }

  /** Host `n` (1-based): namespace berth-<tag>-<letter>, veth 10.77.<m>.1/30 <-> 10.77.<m>.2/30. */
  async add(n: number): Promise<NetnsHost> {
    if (!Number.isInteger(n) || n < 1 || n > 26) throw new Error(`host number must be 1..26, got ${n}`);
    this.slot ??= claimSlot();
    const m = this.slot * 26 + n;
    const letter = String.fromCharCode(96 + n);
    const ns = `berth-${this.tag}-${letter}`;
    const hostIf = `bv${this.tag}${letter}`.slice(-15); // IFNAMSIZ: 15 characters
    const peer = 'eth0';
    const host: NetnsHost = { ns, path: `/run/netns/${ns}`, hostIf, hostAddr: `10.77.${m}.1`, nsAddr: `10.77.${m}.2` };
    await ip(['netns', 'add', ns]);
    this.made.add(ns);
    this.hosts.push(host);
    await ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', peer, 'netns', ns]);
    await ip(['addr', 'add', `${host.hostAddr}/30`, 'dev', hostIf]);
    await ip(['link', 'set', hostIf, 'up']);
    await ip(['-n', ns, 'addr', 'add', `${host.nsAddr}/30`, 'dev', peer]);
    await ip(['-n', ns, 'link', 'set', peer, 'up']);
    await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    return host;
  }

  /**
   * Kills what is left inside the namespaces this lab made (only its own processes can be there),
   * deletes each veth (one end deletes the pair) and each namespace. Never throws: resolves to
   * the failures, if any.
   */
  async remove(): Promise<string[]> {
    const failures: string[] = [];
    // a process still inside (a worker that never became ready) would keep the namespace alive
    for (const ns of this.made) {
      const pids = await execa('ip', ['netns', 'pids', ns], { reject: false });
      for (const pid of String(pids.stdout).split('\n').filter((p) => /^\d+$/.test(p))) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ESRCH') failures.push(`kill ${pid} in ${ns}: ${String(err)}`);
        }
      }
    }
    for (const host of this.hosts) {
      const link = await execa('ip', ['link', 'show', host.hostIf], { reject: false });
      if (link.exitCode === 0) {
        const r = await execa('ip', ['link', 'delete', host.hostIf], { reject: false });
        if (r.exitCode !== 0) failures.push(`ip link delete ${host.hostIf}: ${String(r.stderr).trim()}`);
      }
    }
    for (const ns of this.made) {
      const r = await execa('ip', ['netns', 'delete', ns], { reject: false });
      if (r.exitCode !== 0) failures.push(`ip netns delete ${ns}: ${String(r.stderr).trim()}`);
    }
    this.made.clear();
    if (this.slot !== null) rmSync(join(SLOTS, String(this.slot)), { recursive: true, force: true });
    this.slot = null;
    return failures;
  }
}

/** The namespaces `ip netns list` shows whose name starts with `prefix`. */
export async function listNetns(prefix: string): Promise<string[]> {
  const r = await execa('ip', ['netns', 'list'], { reject: false });
  return String(r.stdout)
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}

/** The inode of a network namespace (a /run/netns/<ns> bind mount or a /proc/<pid>/ns/net link). */
export function netnsInode(path: string): number {
  return statSync(path).ino;
}

/** Runs `ip` inside a namespace (`ip -n <ns> ...`); resolves to its exit code and output. */
export async function ipIn(ns: string, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa('ip', ['-n', ns, ...args], { reject: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** A free TCP port on 127.0.0.1 (the kernel's pick; the caller binds it soon after). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface TcpRedis {
  port: number;
  dir: string;
  /** The URL on `address` (one of the bound addresses). */
  url(address: string): string;
  stop(): Promise<void>;
}

/**
 * A private redis-server on TCP, bound to `bind` (addresses that exist only in this test's
 * namespaces, and 127.0.0.1), on a free port; no persistence. Waits for "ready to accept
 * connections" on its stdout; retries on another port if the one picked was taken meanwhile.
 */
export async function startTcpRedis(bind: string[]): Promise<TcpRedis> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'berth-redis-tcp-'));
    const proc: ResultPromise = execa(
      'redis-server',
      ['--bind', ...bind, '--port', String(port), '--protected-mode', 'no', '--dir', dir, '--save', '', '--appendonly', 'no'],
      { reject: false, stdout: 'pipe', stderr: 'pipe' },
    );
    try {
      await redisReady(proc);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      lastError = err;
      if (/address already in use/i.test(String(err))) continue;
      throw err;
    }
    return {
      port,
      dir,
      url: (address) => `redis://${address}:${port}`,
      async stop() {
        proc.kill('SIGTERM');
        await proc;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw lastError;
}

/**
 * test/helpers/processes.ts's spawnWorker, with the worker run inside network namespace `ns`
 * (`nsenter --net=/run/netns/<ns> node ...`; nsenter execs node, so the process killed is the
 * worker itself). Resolves once the worker prints "ready".
 */
/** A worker process inside a namespace: nsenter enters only its network namespace (runc needs the host's mounts). */
export function spawnWorkerIn(ns: string, env: Record<string, string>): Promise<WorkerProcess> {
  return spawnWorker(env, { prefix: ['nsenter', `--net=/run/netns/${ns}`, '--'] });
}
