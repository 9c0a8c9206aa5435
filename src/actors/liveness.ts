/**
 * Who holds a lease or a job lock, and whether that process is known dead. A holder is named by
 * `<host>.<pid>.<start>`: host is the kernel's boot id and the pid namespace (so a pid means the
 * same process to every reader with the same host), start the process's start time in clock
 * ticks since boot (so a reused pid is not mistaken for the holder). A process on this host whose
 * /proc entry is gone, or names another start time, is dead: what it held can be taken over at
 * once instead of waiting for it to expire (systemd restarting a killed worker, a sibling worker
 * of the same node). A holder on another host is never judged: its lease expires as before.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';

export type Liveness = 'alive' | 'dead' | 'unknown';

function readHost(): string | null {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const pidns = readlinkSync('/proc/self/ns/pid');
    return createHash('sha1').update(`${boot} ${pidns}`).digest('hex').slice(0, 12);
  } catch {
    return null;
  }
}

/**
 * Field 22 of /proc/<pid>/stat (fields count from 1; the command, field 2, is parenthesised and may
 * hold spaces). A zombie (state Z, field 3) is as dead as a process that is gone.
 */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' || fields[0] === 'X' ? null : (fields[19] ?? null);
  } catch {
    return null;
  }
}

const host = readHost();

/** A live process of this host as other workers name it, or null (gone, or no /proc here). */
export function identityOf(pid: number): string | null {
  const start = startTime(pid);
  return host && start ? `${host}.${pid}.${start}` : null;
}

const self = identityOf(process.pid) ?? `unknown.${process.pid}.0`;

/** This process, as other workers see it. */
export function processIdentity(): string {
  return self;
}

/** Whether the process named by `identity` is alive, dead, or cannot be told from here. */
export function liveness(identity: string): Liveness {
  const m = /^([0-9a-f]{12})\.(\d+)\.(\d+)$/.exec(identity);
  if (!m || host === null || m[1] !== host) return 'unknown';
  const start = startTime(Number(m[2]));
  return start === m[3] ? 'alive' : 'dead';
}

/** The process part of a lease token or job lock holder (`<node>:<identity>:<nonce>`), or "". */
export function holderIdentity(token: string): string {
  return /:([0-9a-f]{12}\.\d+\.\d+):[^:]*$/.exec(token)?.[1] ?? '';
}
