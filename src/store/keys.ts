/**
 * Every Redis key and queue name Berth uses is built here and nowhere else (BullMQ's QueueKeys
 * pattern). All keys share one hash tag, the prefix (default `{berth}`), so every Lua script
 * works unchanged on Redis Cluster: one slot per Berth installation.
 */

export const DEFAULT_PREFIX = '{berth}';

export interface ContainerKeys {
  record: string;
  seq: string;
  mailbox: string;
  results: string;
  history: string;
  lease: string;
  /** Stream of the container's output (stdout, stderr, an end per run): store/streams.ts */
  output: string;
}

/** The Redis streams of one source of bytes: a container itself, or one of its exec sessions. */
export interface SourceKeys {
  /** Its stdout and stderr, an end entry with the exit code (store/streams.ts). */
  output: string;
  /** Bytes for its stdin, and EOF (the stdin transport). */
  stdin: string;
  /** How far the node has forwarded its stdin. */
  stdinAck: string;
}

/**
 * The id of the job for a container's mailbox entry `seq`, used by every producer of Berth's: adding
 * the job for a seq twice is a no-op, and a worker finds the entry's job by it.
 */
export function seqJobId(id: string, seq: number): string {
  return `${id}-${seq}`;
}

/** The delayed job of durable timer `timer` of a container, as scheduled by the commit of version `v`. */
export function timerJobId(id: string, timer: string, v: number): string {
  return `${id}-timer-${timer}-v${v}`;
}

/**
 * Command ids: what makes a repeated enqueue of one command return its first seq. A job of a
 * foreign producer on queue `queue`, an `entry` job, an exit conmon recorded, a cleanup a step
 * requested.
 */
export const commandIds = {
  job: (queue: string, jobId: string | undefined): string => `job-${queue}-${jobId ?? ''}`,
  entry: (jobId: string | undefined): string => `entry-${jobId ?? ''}`,
  exit: (id: string, key: string): string => `exit-${id}-${key}`,
  execExit: (id: string, session: string): string => `exec-exit-${id}-${session}`,
  cleanup: (id: string, version: number): string => `cleanup-${id}-v${version}`,
};

export class Keys {
  readonly prefix: string;

  constructor(prefix: string = DEFAULT_PREFIX) {
    if (!/^\{[A-Za-z0-9_.-]+\}$/.test(prefix)) {
      throw new Error(`\`prefix\` must be a hash tag like "{berth}", got ${JSON.stringify(prefix)}`);
    }
    this.prefix = prefix;
  }

  container(id: string): ContainerKeys {
    const base = `${this.prefix}:ctr:${id}`;
    return {
      record: base,
      seq: `${base}:seq`,
      mailbox: `${base}:mbox`,
      results: `${base}:results`,
      history: `${base}:history`,
      lease: `${base}:lease`,
      output: `${base}:out`,
    };
  }

  /**
   * The streams of a source: the container `id` itself (`output` is its `container(id).output`),
   * or with `session`, that exec session of it.
   */
  source(id: string, session?: string): SourceKeys {
    const base = `${this.prefix}:ctr:${id}`;
    if (session === undefined) return { output: `${base}:out`, stdin: `${base}:stdin`, stdinAck: `${base}:stdin-ack` };
    const s = `${base}:exec:${session}`;
    return { output: `${s}:out`, stdin: `${s}:stdin`, stdinAck: `${s}:stdin-ack` };
  }

  /** A producer's id for one command -> its seq: retries of an enqueue are idempotent. */
  command(commandId: string): string {
    return `${this.prefix}:cmd:${commandId}`;
  }

  /** name -> id */
  get names(): string {
    return `${this.prefix}:names`;
  }
  /** zset of ids, scored by creation time */
  get ids(): string {
    return `${this.prefix}:ids`;
  }
  /** stream of every committed transition */
  get events(): string {
    return `${this.prefix}:events`;
  }
  /** pub/sub channel: a container id, published when its lease is released */
  get leaseReleases(): string {
    return `${this.prefix}:lease-released`;
  }
  /** hash: node name -> registration JSON */
  get nodes(): string {
    return `${this.prefix}:nodes`;
  }
  /** hash: node name -> time of its last heartbeat (kept after the heartbeat key expires) */
  get nodeBeats(): string {
    return `${this.prefix}:node-beats`;
  }
  nodeHeartbeat(node: string): string {
    return `${this.prefix}:node:${node}:hb`;
  }
  /** set of container ids placed on the node */
  nodeContainers(node: string): string {
    return `${this.prefix}:node:${node}:ctrs`;
  }

  /** hash: BullMQ worker id -> the process that runs it (actors/liveness.ts), per node */
  nodeWorkers(node: string): string {
    return `${this.prefix}:node:${node}:workers`;
  }

  /** BullMQ's own prefix: its keys live under the same hash tag. */
  get queuePrefix(): string {
    return `${this.prefix}:q`;
  }
  /** The queue of the node that hosts a container. */
  nodeQueue(node: string): string {
    return `node.${node}`;
  }
}
