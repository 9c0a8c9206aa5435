/**
 * Loads the Lua scripts in ./lua (one per atomic operation, named verbObject-N.lua where N is the
 * number of KEYS) and runs them by SHA, falling back to EVAL when Redis has flushed its cache.
 * Negative return codes are mapped to errors in exactly one place: `ScriptCode`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

export enum ScriptCode {
  NoSuchContainer = -1,
  Taken = -2,
  Fenced = -3,
  VersionConflict = -4,
  OutOfOrder = -5,
}

/** beginDrain's first reply element (beside ScriptCode.NoSuchContainer). */
export enum BeginCode {
  /** Held by another worker: {0, ms left, holder}. */
  Held = 0,
  /** Taken (or renewed by the same holder): {1, epoch, record, entries}. */
  Taken = 1,
  /** That seq is applied already: {2, result JSON}. */
  Stored = 2,
}

/** abandonCreate's reply. */
export enum AbandonCode {
  /** The record exists: nothing to abandon. */
  Exists = 0,
  /** The id's counter and mailbox are dropped. */
  Dropped = 1,
}

/** appendOutput's first reply element (beside ScriptCode.NoSuchContainer). */
export enum AppendCode {
  /** The stream was elsewhere: {0, generation, offset, last ended run}; nothing appended. */
  Conflict = 0,
  /** Appended: {1, entries appended}. */
  Appended = 1,
  /** The container is removed: its stream is gone for good. */
  Removed = 2,
}

export type ScriptName =
  | 'enqueueCommand'
  | 'createContainer'
  | 'commitTransition'
  | 'beginDrain'
  | 'renewLease'
  | 'releaseLease'
  | 'abandonCreate'
  | 'releaseDeadLocks'
  | 'appendOutput';

interface LoadedScript {
  lua: string;
  sha: string;
  keys: number;
}

const LUA_DIR = fileURLToPath(new URL('./lua/', import.meta.url));

function load(): Map<string, LoadedScript> {
  const scripts = new Map<string, LoadedScript>();
  for (const file of readdirSync(LUA_DIR)) {
    const m = /^([A-Za-z]+)-(\d+)\.lua$/.exec(file);
    if (!m) continue;
    const lua = readFileSync(LUA_DIR + file, 'utf8');
    scripts.set(m[1]!, { lua, sha: createHash('sha1').update(lua).digest('hex'), keys: Number(m[2]) });
  }
  return scripts;
}

let cache: Map<string, LoadedScript> | undefined;

/** Buffers go to Redis as they are (binary-safe): output bytes are never decoded. */
export type ScriptArg = string | number | Buffer;

/** Runs a script: exactly `keys` keys, then the arguments. */
export async function runScript(redis: Redis, name: ScriptName, keys: string[], args: ScriptArg[]): Promise<unknown> {
  cache ??= load();
  const script = cache.get(name);
  if (!script) throw new Error(`Lua script ${name} is missing from ${LUA_DIR}`);
  if (keys.length !== script.keys) throw new Error(`${name} takes ${script.keys} keys, got ${keys.length}`);
  try {
    return await redis.evalsha(script.sha, script.keys, ...keys, ...args);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
      return redis.eval(script.lua, script.keys, ...keys, ...args);
    }
    throw err;
  }
}
