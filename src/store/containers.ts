/**
 * Container persistence: records, the name index, mailboxes, results, history, leases. Every
 * multi-key write is one Lua script (./lua); reads are plain commands. Keys come from Keys.
 */
import { jobCommandsBack } from './event-reads.js';
import type { Redis } from 'ioredis';
import { BerthError, noSuchContainer } from '../errors.js';
import { quoted } from '../printable.js';
import { ID_PATTERN } from '../spec.js';
import type { Keys } from './keys.js';
import { parseHistory, parseRecord, type ContainerRecord, type HistoryEntry } from './records.js';
import {
  abandonCreateCall,
  beginDrainCall,
  commitCall,
  createCall,
  enqueueCall,
  releaseLeaseCall,
  renewLeaseCall,
  type CommitArgs,
  type CreateArgs,
  type EnqueueOptions,
  type ScriptCall,
} from './script-args.js';
import { BeginCode, runScript, ScriptCode } from './scripts.js';

export { COMMAND_ID_TTL_S, EVENTS_MAX_LEN, REMOVED_TTL_S } from './script-args.js';
export type { CommitArgs, CreateArgs } from './script-args.js';

export type BeginResult =
  | { stored: string }
  | { epoch: number; record: ContainerRecord; entries: Map<number, string> }
  | { heldMs: number; holder: string };

export class ContainerStore {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
  ) {}

  private run(call: ScriptCall): Promise<unknown> {
    return runScript(this.redis, call.name, call.keys, call.args);
  }

  /** Appends a command to the mailbox; resolves to its seq (0 when deduplicated). */
  async enqueue(id: string, command: string, opts: EnqueueOptions = {}): Promise<number> {
    const code = Number(await this.run(enqueueCall(this.keys, id, command, opts)));
    if (code === ScriptCode.NoSuchContainer) throw noSuchContainer(id);
    if (code === ScriptCode.Taken) {
      throw new BerthError('EEXIST', `the container name "${opts.create?.name ?? id}" is already in use`, {
        container: opts.create?.name ?? id,
      });
    }
    return code;
  }

  async create(a: CreateArgs): Promise<void> {
    const code = Number(await this.run(createCall(this.keys, a)));
    if (code === ScriptCode.Taken) {
      throw new BerthError('EEXIST', `the container name "${a.name}" is already in use`, { container: a.name });
    }
  }

  async abandonCreate(id: string): Promise<void> {
    await this.run(abandonCreateCall(this.keys, id));
  }

  /** Commits one step; resolves to the new version. */
  async commit(a: CommitArgs): Promise<number> {
    const code = Number(await this.run(commitCall(this.keys, a)));
    switch (code) {
      case ScriptCode.NoSuchContainer:
        throw noSuchContainer(a.id);
      case ScriptCode.Fenced:
        throw new BerthError('ESTALE', `lease on container ${a.id} lost: another worker holds it`, { container: a.id });
      case ScriptCode.VersionConflict:
        throw new BerthError('ESTALE', `container ${a.id} changed underneath (version ${a.version} is stale)`, { container: a.id });
      case ScriptCode.OutOfOrder:
        throw new BerthError('ESTALE', `command ${a.seq} of container ${a.id} is out of order`, { container: a.id });
      default:
        return code;
    }
  }

  /**
   * One round trip to start applying the mailbox up to `seq`: its stored result if it was applied
   * already; else the lease (a `deadHolder`, known dead, is taken over instead of waited out), the
   * record and the pending mailbox entries.
   */
  async beginDrain(id: string, token: string, ttlMs: number, seq: number, deadHolder = ''): Promise<BeginResult> {
    const reply = (await this.run(beginDrainCall(this.keys, id, token, ttlMs, seq, deadHolder))) as unknown[];
    const code = Number(reply[0]);
    if (code === BeginCode.Stored) return { stored: String(reply[1]) };
    if (code === ScriptCode.NoSuchContainer) throw noSuchContainer(id);
    if (code === BeginCode.Held) return { heldMs: Number(reply[1]), holder: String(reply[2]) };
    const flat = reply[2] as string[];
    const hash: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
    const record = parseRecord(hash, id);
    if (!record) throw noSuchContainer(id);
    const entries = new Map<number, string>();
    (reply[3] as string[]).forEach((raw, i) => {
      if (raw !== '') entries.set(record.applied + 1 + i, raw);
    });
    return { epoch: Number(reply[1]), record, entries };
  }

  async renewLease(id: string, token: string, ttlMs: number): Promise<boolean> {
    return Number(await this.run(renewLeaseCall(this.keys, id, token, ttlMs))) === 1;
  }

  async releaseLease(id: string, token: string): Promise<void> {
    await this.run(releaseLeaseCall(this.keys, id, token));
  }

  async get(id: string): Promise<ContainerRecord | null> {
    return parseRecord(await this.redis.hgetall(this.keys.container(id).record), id);
  }

  /** The node a container lives on, null when there is no such container. */
  async nodeOf(id: string): Promise<string | null> {
    return this.redis.hget(this.keys.container(id).record, 'node');
  }

  async mailboxEntry(id: string, seq: number): Promise<string | null> {
    return this.redis.hget(this.keys.container(id).mailbox, String(seq));
  }

  /** The last command queued and not yet applied (seq and JSON), or null when none waits. */
  async lastPending(id: string, applied: number): Promise<{ seq: number; entry: string } | null> {
    const seqs = (await this.redis.hkeys(this.keys.container(id).mailbox)).map(Number).filter((s) => s > applied);
    if (seqs.length === 0) return null;
    const seq = Math.max(...seqs);
    const entry = await this.mailboxEntry(id, seq);
    return entry === null ? null : { seq, entry };
  }

  async result(id: string, seq: number): Promise<string | null> {
    return this.redis.hget(this.keys.container(id).results, String(seq));
  }

  /** Name, full Id or unique Id prefix (as Podman) -> Id. */
  async resolve(nameOrId: string): Promise<string> {
    const byName = await this.redis.hget(this.keys.names, nameOrId);
    if (byName) return byName;
    if (/^[0-9a-f]+$/.test(nameOrId)) {
      if (ID_PATTERN.test(nameOrId) && (await this.redis.zscore(this.keys.ids, nameOrId)) !== null) return nameOrId;
      const matches = await this.redis.zrangebylex(this.keys.ids, `[${nameOrId}`, `[${nameOrId}\xff`, 'LIMIT', 0, 2);
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) {
        throw new BerthError('EINVAL', `more than one container matches the Id prefix ${quoted(nameOrId)}`, { container: nameOrId });
      }
    }
    throw noSuchContainer(nameOrId);
  }

  /** Ids of the containers placed on a node. */
  async nodeContainerIds(node: string): Promise<string[]> {
    return this.redis.smembers(this.keys.nodeContainers(node));
  }

  async ids(): Promise<string[]> {
    return this.redis.zrange(this.keys.ids, '0', '-1');
  }

  async list(): Promise<ContainerRecord[]> {
    return this.records(await this.ids());
  }

  /** The records of `ids` that exist, in one round trip, in the order given. */
  async records(ids: readonly string[]): Promise<ContainerRecord[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.container(id).record);
    const replies = (await pipeline.exec()) ?? [];
    const out: ContainerRecord[] = [];
    replies.forEach(([err, hash], i) => {
      if (err) throw err;
      const record = parseRecord(hash as Record<string, string>, ids[i]!);
      if (record) out.push(record);
    });
    return out;
  }

  async history(id: string): Promise<HistoryEntry[]> {
    return (await this.redis.lrange(this.keys.container(id).history, 0, -1)).map(parseHistory);
  }

  /** The commands of the latest commits of `id` under `jobId`, newest first (event-reads.ts). */
  async jobCommands(id: string, jobId: string): Promise<string[]> {
    return jobCommandsBack(this.redis, this.keys, id, jobId);
  }

  /** The record and the events stream's last id, read atomically: wait from there, missing nothing. */
  async readWithCursor(id: string): Promise<{ record: ContainerRecord | null; cursor: string }> {
    const replies = await this.redis
      .multi()
      .hgetall(this.keys.container(id).record)
      .xrevrange(this.keys.events, '+', '-', 'COUNT', '1')
      .exec();
    const hash = (replies?.[0]?.[1] ?? {}) as Record<string, string>;
    const last = (replies?.[1]?.[1] ?? []) as [string, string[]][];
    return { record: parseRecord(hash, id), cursor: last[0]?.[0] ?? '0-0' };
  }
}
