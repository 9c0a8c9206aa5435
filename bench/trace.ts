/**
 * Redis round trips, timed: patches ioredis's `Redis.prototype.sendCommand` (the one path every
 * command, BullMQ's included, goes through) to record connection name, command (EVALSHA named
 * after its script) and start/end times. For profiling only (bench/profile.ts); off by default.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { nowMs } from './stats.js';

export interface RedisSpan {
  conn: string;
  cmd: string;
  t0: number;
  t1: number;
}

/** sha1 -> name of Berth's own Lua scripts (src/store/lua/<name>-<keys>.lua). */
function berthScripts(): Map<string, string> {
  const dir = fileURLToPath(new URL('../src/store/lua/', import.meta.url));
  const out = new Map<string, string>();
  for (const f of readdirSync(dir)) {
    const m = /^([A-Za-z]+)-\d+\.lua$/.exec(f);
    if (m) out.set(createHash('sha1').update(readFileSync(dir + f, 'utf8')).digest('hex'), m[1]!);
  }
  return out;
}

interface Cmd {
  name: string;
  args: unknown[];
  promise: Promise<unknown>;
}

let installed = false;

export function traceRedis(record: (span: RedisSpan) => void): void {
  if (installed) return;
  installed = true;
  const names = berthScripts();
  const proto = Redis.prototype as unknown as { sendCommand(this: Redis, c: Cmd, s?: unknown): unknown };
  const original = proto.sendCommand;
  proto.sendCommand = function (this: Redis, command: Cmd, stream?: unknown) {
    const t0 = nowMs();
    const self = this as unknown as { options: { connectionName?: string }; scriptsSet?: Record<string, { sha: string }> };
    let cmd = command.name;
    if (cmd === 'evalsha' || cmd === 'eval') {
      const sha = String(command.args[0] ?? '');
      let name = names.get(sha);
      if (!name && self.scriptsSet) name = Object.entries(self.scriptsSet).find(([, s]) => s.sha === sha)?.[0];
      cmd = `${cmd}:${name ?? sha.slice(0, 8)}`;
    }
    const conn = self.options.connectionName ?? '?';
    const out = original.call(this, command, stream);
    command.promise.then(
      () => record({ conn, cmd, t0, t1: nowMs() }),
      () => record({ conn, cmd, t0, t1: nowMs() }),
    );
    return out;
  };
}
