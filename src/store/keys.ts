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

/** The streams of one source of bytes: a container's own process, or one of its exec sessions. */
export interface SourceKeys {
  /** Its output (stdout, stderr, an end per run): store/streams.ts */
  output: string;
  /** What clients send to its stdin (data, resizes, EOF): queue/stdin-writer.ts */
  stdin: string;
  /** Ticks of the node's forwarder, each after it took entries off `stdin`: writers wait on it. */
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
  /** The post-reboot refresh of a container, once per boot of its node. */
  refresh: (id: string, boot: string): string => `refresh-${id}-${boot}`,
  /** A restart policy's start when the node's worker starts again (one per record version). */
  comeBack: (id: string, version: number): string => `come-back-${id}-v${version}`,
  /** A health probe's result: one per (run, probe). */
  health: (id: string, run: number, probe: number): string => `health-${id}-r${run}-p${probe}`,
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

  /** A container's own process (no session) or one of its exec sessions, as a source of bytes. */
  source(id: string, session?: string): SourceKeys {
    const base = `${this.prefix}:ctr:${id}`;
    const own = session === undefined ? base : `${base}:exec:${session}`;
    return { output: session === undefined ? this.container(id).output : `${own}:out`, stdin: `${own}:in`, stdinAck: `${own}:in-ack` };
  }

  /**
   * An export of a container's root (storage, issue 11): `data` carries the tar in chunks and an
   * end, from the node; `ack` the client's acknowledgements, which let the node send more.
   */
  exportStreams(id: string, session: string): { data: string; ack: string } {
    const base = `${this.prefix}:ctr:${id}:export:${session}`;
    return { data: `${base}:data`, ack: `${base}:ack` };
  }

  /** The lease of the node's stdin forwarder: one worker of a node forwards at a time. */
  stdinLease(node: string): string {
    return `${this.prefix}:node:${node}:stdin-lease`;
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
  /** hash: node name -> the boot id (/proc/sys/kernel/random/boot_id) its containers were last refreshed for */
  get nodeBoots(): string {
    return `${this.prefix}:node-boots`;
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
  // --- images (issue #11) ---
  /** The queue of a node's image jobs (pull, load, import, rm, tag): its worker runs them. */
  imageQueue(node: string): string {
    return `images.${node}`;
  }
  /** string: the JSON array of the node's ImageRecords, rewritten by its worker after each change */
  nodeImages(node: string): string {
    return `${this.prefix}:node:${node}:images`;
  }
  // --- end images ---
}
