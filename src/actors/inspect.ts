/**
 * The Podman-shaped inspect object (`podman inspect` field names, plus Node and RestartCount),
 * derived from a container's record and snapshot, and kept by each commit beside the snapshot it
 * was derived from (same Lua script, same version), so readers need not hydrate the machine.
 */
import type { ContainerRecord } from '../store/records.js';
import { healthConfigView, healthView, type InspectHealth, type InspectHealthConfig } from './inspect-health.js';
import { hydrateSnapshot, type ContainerSnapshot } from './snapshot.js';
import { positionOf } from './step.js';
import { RESTART_TIMER } from '../machines/index.js';

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface InspectState {
  Status: string;
  /** The in-flight runtime call or sub-state ("pausing", "waiting"); '' when idle. Berth's own. */
  Activity: string;
  Running: boolean;
  Paused: boolean;
  /** A policy restart waits out its backoff (Podman's field is always false; Berth's is true then). */
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  /** Podman's: the last checkpoint (berth checkpoint), until a restore or a reboot (always set by inspectFrom). */
  Checkpointed?: boolean;
  CheckpointedAt?: string;
  /** Podman's: running from a checkpoint (berth restore). */
  Restored?: boolean;
  RestoredAt?: string;
  /** When the policy restart that waits out its backoff (State.Restarting) is due (the durable timer's time), ZERO_TIME when none waits. Berth's own. */
  NextRestartAt?: string;
  /** The backoff of the restart waiting, else of the last one, ms (0: none yet). Berth's own. */
  RestartBackoffMs?: number;
  /** Stopped or killed by a user since its last start (Podman 5's): no policy restarts it. */
  StoppedByUser?: boolean;
  /** Podman's State.Health; only with a health check. */
  Health?: InspectHealth;
}

export interface Inspect {
  Id: string;
  Name: string;
  Node: string;
  Created: string;
  /** The --rootfs dir ('' for a container from an image, as Podman's). */
  Rootfs: string;
  /** The image's Id and name ('' for a --rootfs container). */
  Image?: string;
  ImageName?: string;
  /** Podman's: the overlay of an image container (absent for a --rootfs one). */
  GraphDriver?: { Name: 'overlay'; Data: { LowerDir: string; UpperDir: string; WorkDir: string; MergedDir: string } };
  Config: {
    Cmd: string[];
    Env: string[];
    WorkingDir: string;
    Hostname: string;
    StopSignal: string;
    StopTimeout: number;
    /** Podman's: stdin kept open for attach (-i). */
    OpenStdin: boolean;
    /** Podman's: a pseudo-terminal (-t). */
    Tty: boolean;
    /** USER[:GROUP] of the process ('' for root). */
    User?: string;
    /** The image's labels under the create's (null when none, as Podman). */
    Labels?: Record<string, string> | null;
    /** Podman's Config.Healthcheck (durations in ns) and on-failure action; only with a health check. */
    Healthcheck?: InspectHealthConfig;
    HealthcheckOnFailureAction?: string;
  };
  State: InspectState;
  RestartCount: number;
  /** Podman's: the restart policy (`no`, `on-failure`, `always`, `unless-stopped`) and on-failure's N. */
  HostConfig?: { RestartPolicy: { Name: string; MaximumRetryCount: number } };
  /** The exec sessions running now (Podman's ExecIDs): started by runc, not ended yet. */
  ExecIDs: string[];
  /** The snapshot version: a per-container sequence number of committed transitions. */
  Version: number;
  /** Podman's: the Ids of the containers it requires (`--requires`), in the order given; always set by inspectFrom. */
  Dependencies?: string[];
}

/** What Berth knows of the container's node: a lost node makes its containers `unknown`. */
export interface NodeView {
  lost: boolean;
  lastHeartbeat: string | null;
}

/**
 * The inspect object of a record: from `snapshot` when given (a commit builds it so), else the one
 * the last commit kept in the record (no machine needed: a reader of another machine version can
 * list and inspect), else from the record's snapshot, hydrated. `node` marks a lost node's view.
 */
export function inspectFrom(record: ContainerRecord, snapshot?: ContainerSnapshot, node?: NodeView): Inspect {
  const made = snapshot ? computed(record, snapshot) : (kept(record) ?? computed(record, hydrateSnapshot(record.snapshot, record.id)));
  const base = { ...made, Dependencies: [...(record.spec.requires ?? [])] };
  return node ? seenFrom(base, record, node) : base;
}

/** The inspect object the last commit kept, when it is of the record's version. */
function kept(record: ContainerRecord): Inspect | null {
  if (!record.inspect) return null;
  try {
    const inspect = JSON.parse(record.inspect) as Inspect;
    return inspect.Version === record.version ? inspect : null;
  } catch {
    return null;
  }
}

/** Berth cannot read runc on a lost node: what it last knew is no longer an answer (invariant 6). */
function seenFrom(inspect: Inspect, record: ContainerRecord, node: NodeView): Inspect {
  const last = inspect.State.Status;
  if (!node.lost || last === 'removed') return inspect;
  return {
    ...inspect,
    State: {
      ...inspect.State,
      Status: 'unknown',
      Activity: '',
      Running: false,
      Paused: false,
      Error: `node ${record.node} lost: no heartbeat since ${node.lastHeartbeat ?? 'it registered'} (last known state ${last})`,
    },
  };
}

/** The storage dirs beside the merged dir (oci/layout.ts storagePaths); top lower dir first, as Podman's. */
function graphDriver(record: ContainerRecord): Pick<Inspect, 'GraphDriver'> {
  const { layers, rootfs } = record.spec;
  if (!layers) return {};
  const dir = rootfs.replace(/\/merged$/, '');
  return { GraphDriver: { Name: 'overlay', Data: { LowerDir: [...layers].reverse().join(':'), UpperDir: `${dir}/upper`, WorkDir: `${dir}/work`, MergedDir: rootfs } } };
}

function computed(record: ContainerRecord, snap: ContainerSnapshot): Inspect {
  const position = positionOf(snap);
  const status = position.status;
  const activity = position.activity;
  const ctx = snap.context;
  return {
    Id: record.id,
    Name: record.name,
    Node: record.node,
    Created: record.created,
    Rootfs: record.spec.image ? '' : record.spec.rootfs,
    Image: record.spec.image?.id ?? '',
    ImageName: record.spec.image?.name ?? '',
    ...graphDriver(record),
    Config: {
      Cmd: record.spec.command,
      Env: record.spec.env,
      WorkingDir: record.spec.workdir,
      Hostname: record.spec.hostname,
      StopSignal: record.spec.stopSignal,
      StopTimeout: record.spec.stopTimeout,
      OpenStdin: record.spec.stdin,
      Tty: record.spec.tty,
      User: record.spec.user ?? '',
      Labels: record.spec.labels ?? null,
      ...healthConfigView(record.spec.healthcheck),
    },
    State: {
      Status: status,
      Activity: activity,
      Running: status === 'running',
      Paused: status === 'paused',
      Restarting: ctx.restartScheduled === true,
      OOMKilled: ctx.oomKilled,
      Dead: false,
      Pid: ctx.pid,
      ExitCode: ctx.exitCode,
      Error: ctx.error,
      StartedAt: ctx.startedAt ?? ZERO_TIME,
      FinishedAt: ctx.finishedAt ?? ZERO_TIME,
      Checkpointed: ctx.checkpointed === true,
      CheckpointedAt: ctx.checkpointedAt ?? ZERO_TIME,
      Restored: ctx.restored === true,
      RestoredAt: ctx.restoredAt ?? ZERO_TIME,
      NextRestartAt: nextRestartAt(record, ctx.restartScheduled === true),
      RestartBackoffMs: ctx.restartBackoffMs ?? 0,
      StoppedByUser: ctx.stoppedByUser === true,
      ...healthView(ctx.health),
    },
    RestartCount: ctx.restartCount,
    HostConfig: { RestartPolicy: { Name: ctx.restart?.policy ?? 'no', MaximumRetryCount: ctx.restart?.retries ?? 0 } },
    // a removed container's sessions went with it (rm -f kills them)
    ExecIDs: Object.values(status === 'removed' ? {} : (ctx.execs ?? {}))
      // one being started has no process yet: nothing can reach its stdin (stdin-forwarder.ts)
      .filter((s) => s.running && s.pid > 0)
      .map((s) => s.id),
    Version: record.version,
  };
}

/** The due time of the restart's durable timer (the record's), when one waits. */
function nextRestartAt(record: ContainerRecord, scheduled: boolean): string {
  const t = scheduled && Object.hasOwn(record.timers, RESTART_TIMER) ? record.timers[RESTART_TIMER] : undefined;
  return t ? new Date(t.due).toISOString() : ZERO_TIME;
}
