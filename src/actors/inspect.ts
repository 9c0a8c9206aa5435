/**
 * The Podman-shaped inspect object (`podman inspect` field names, plus Node and RestartCount),
 * derived from a container's record and snapshot: one source of truth, no second copy of state.
 */
import type { ContainerRecord } from '../store/records.js';
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
  };
  State: InspectState;
  RestartCount: number;
  /** The snapshot version: a per-container sequence number of committed transitions. */
  Version: number;
}

/** What Berth knows of the container's node: a lost node makes its containers `unknown`. */
export interface NodeView {
  lost: boolean;
  lastHeartbeat: string | null;
}

export function inspectFrom(record: ContainerRecord, snapshot?: ContainerSnapshot, node?: NodeView): Inspect {
  const snap = snapshot ?? hydrateSnapshot(record.snapshot, record.id);
  const position = positionOf(snap);
  // Berth cannot read runc on a lost node: what it last knew is no longer an answer (invariant 6)
  const lost = node?.lost === true && position.status !== 'removed';
  const status = lost ? 'unknown' : position.status;
  const activity = lost ? '' : position.activity;
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
      Error: lost
        ? `node ${record.node} lost: no heartbeat since ${node?.lastHeartbeat ?? 'it registered'} (last known state ${position.status})`
        : ctx.error,
      StartedAt: ctx.startedAt ?? ZERO_TIME,
      FinishedAt: ctx.finishedAt ?? ZERO_TIME,
    },
    RestartCount: ctx.restartCount,
    Version: record.version,
  };
}
