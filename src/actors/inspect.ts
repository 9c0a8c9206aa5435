/**
 * The Podman-shaped inspect object (`podman inspect` field names, plus Node and RestartCount),
 * derived from a container's record and snapshot, and kept by each commit beside the snapshot it
 * was derived from (same Lua script, same version), so readers need not hydrate the machine.
 */
import type { ContainerRecord } from '../store/records.js';
import { healthConfigView, healthView, type InspectHealth, type InspectHealthConfig } from './inspect-health.js';
import { hydrateSnapshot, type ContainerSnapshot } from './snapshot.js';
import { positionOf } from './step.js';

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface InspectState {
  Status: string;
  /** The in-flight runtime call or sub-state ("pausing", "waiting"); '' when idle. Berth's own. */
  Activity: string;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  /** Podman's State.Health; only with a health check. */
  Health?: InspectHealth;
}

export interface Inspect {
  Id: string;
  Name: string;
  Node: string;
  Created: string;
  Rootfs: string;
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
    /** Podman's Config.Healthcheck (durations in ns) and on-failure action; only with a health check. */
    Healthcheck?: InspectHealthConfig;
    HealthcheckOnFailureAction?: string;
  };
  State: InspectState;
  RestartCount: number;
  /** The exec sessions running now (Podman's ExecIDs): started by runc, not ended yet. */
  ExecIDs: string[];
  /** The snapshot version: a per-container sequence number of committed transitions. */
  Version: number;
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
  const base = snapshot ? computed(record, snapshot) : (kept(record) ?? computed(record, hydrateSnapshot(record.snapshot, record.id)));
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
    Rootfs: record.spec.rootfs,
    Config: {
      Cmd: record.spec.command,
      Env: record.spec.env,
      WorkingDir: record.spec.workdir,
      Hostname: record.spec.hostname,
      StopSignal: record.spec.stopSignal,
      StopTimeout: record.spec.stopTimeout,
      OpenStdin: record.spec.stdin,
      Tty: record.spec.tty,
      ...healthConfigView(record.spec.healthcheck),
    },
    State: {
      Status: status,
      Activity: activity,
      Running: status === 'running',
      Paused: status === 'paused',
      Restarting: false,
      OOMKilled: ctx.oomKilled,
      Dead: false,
      Pid: ctx.pid,
      ExitCode: ctx.exitCode,
      Error: ctx.error,
      StartedAt: ctx.startedAt ?? ZERO_TIME,
      FinishedAt: ctx.finishedAt ?? ZERO_TIME,
      ...healthView(ctx.health),
    },
    RestartCount: ctx.restartCount,
    // a removed container's sessions went with it (rm -f kills them)
    ExecIDs: Object.values(status === 'removed' ? {} : (ctx.execs ?? {}))
      // one being started has no process yet: nothing can reach its stdin (stdin-forwarder.ts)
      .filter((s) => s.running && s.pid > 0)
      .map((s) => s.id),
    Version: record.version,
  };
}
