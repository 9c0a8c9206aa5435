/**
 * The commit of a create, built pure: from the new container's Id, node, spec, mailbox seq and
 * job, everything createContainer writes (the record in state configured, the result, the history
 * line and the events stream entry), with the same transition lines as every other step.
 */
import type { ContainerSpec } from '../spec.js';
import type { HealthConfig } from '../healthcheck.js';
import type { HealthPolicy } from '../machines/health.js';
import type { CreateArgs } from '../store/containers.js';
import type { ContainerRecord } from '../store/records.js';
import { transitionLines, type CommandResult } from './commit-step.js';
import { inspectFrom } from './inspect.js';
import { initialSnapshot, serializeSnapshot } from './snapshot.js';
import { positionOf } from './step.js';

export interface CreateInput {
  id: string;
  node: string;
  spec: ContainerSpec;
  seq: number;
  jobId: string;
  at: string;
}

export function createCommit(c: CreateInput): { args: CreateArgs; result: CommandResult } {
  const snapshot = initialSnapshot({ stopSignal: c.spec.stopSignal, stopTimeout: c.spec.stopTimeout, healthcheck: healthPolicyOf(c.spec.healthcheck), ...(c.spec.restart ? { restart: c.spec.restart } : {}) });
  // a new container is at rest in its status: the stream names the status alone, as before
  const to = { status: positionOf(snapshot).status, path: positionOf(snapshot).status };
  const spec: ContainerSpec = { ...c.spec, node: c.node };
  const record: ContainerRecord = {
    id: c.id,
    name: spec.name,
    node: c.node,
    spec,
    snapshot: serializeSnapshot(snapshot),
    status: to.status,
    created: c.at,
    version: 1,
    epoch: 0,
    applied: c.seq,
    effects: '',
    inspect: '',
    timers: {},
  };
  const inspect = inspectFrom(record, snapshot);
  const result: CommandResult = { ok: true, inspect };
  const lines = transitionLines({ id: c.id, name: spec.name, node: c.node, version: 1, from: { status: '', path: '' }, to, command: 'create', jobId: c.jobId, by: c.node, at: c.at, ms: 0, inspect });
  const args: CreateArgs = {
    id: c.id,
    name: spec.name,
    node: c.node,
    spec: JSON.stringify(spec),
    snapshot: record.snapshot,
    status: record.status,
    created: c.at,
    seq: c.seq,
    result: JSON.stringify(result),
    // a create always changes the status (from nothing)
    history: lines.history ?? { from: '', to: to.status, command: 'create', jobId: c.jobId, node: c.node, at: c.at, ms: 0 },
    event: lines.event,
    inspect: JSON.stringify(inspect),
  };
  return { args, result };
}

/** What the machine keeps of the spec's health check (the command stays in the spec). */
function healthPolicyOf(h: HealthConfig | null | undefined): HealthPolicy | null {
  return h ? { intervalMs: h.intervalMs, timeoutMs: h.timeoutMs, retries: h.retries, startPeriodMs: h.startPeriodMs, onFailure: h.onFailure } : null;
}
