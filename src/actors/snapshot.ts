/**
 * Hydrate and persist: a container's snapshot travels through Redis as JSON tagged with the
 * machine id and version. A snapshot of another machine or version, or a corrupt one, is a clear
 * error, never a crash.
 */
import { createActor, initialTransition, type SnapshotFrom } from 'xstate';
import { BerthError } from '../errors.js';
import { containerMachine, MACHINE_ID, MACHINE_VERSION, migrateContext, READABLE_VERSIONS, type ContainerInput, type ContainerMachine, type RestartState } from '../machines/index.js';

export type ContainerSnapshot = SnapshotFrom<typeof containerMachine>;

interface Envelope {
  machine: string;
  version: string;
  snapshot: unknown;
}

export function initialSnapshot(input: ContainerInput): ContainerSnapshot {
  return initialTransition(containerMachine, input)[0];
}

export function serializeSnapshot(snapshot: ContainerSnapshot, machine: ContainerMachine = containerMachine): string {
  const envelope: Envelope = {
    machine: MACHINE_ID,
    version: MACHINE_VERSION,
    snapshot: machine.getPersistedSnapshot(snapshot),
  };
  return JSON.stringify(envelope);
}

export function hydrateSnapshot(json: string, container: string, machine: ContainerMachine = containerMachine): ContainerSnapshot {
  let envelope: Partial<Envelope>;
  try {
    envelope = JSON.parse(json) as Partial<Envelope>;
  } catch (err) {
    throw new BerthError('EINTERNAL', `snapshot of container ${container} is corrupt: not JSON`, { cause: err, container });
  }
  if (envelope.machine !== MACHINE_ID || typeof envelope.snapshot !== 'object' || envelope.snapshot === null) {
    throw new BerthError('EINTERNAL', `snapshot of container ${container} is corrupt: not a ${MACHINE_ID} snapshot`, {
      container,
    });
  }
  if (typeof envelope.version !== 'string' || !READABLE_VERSIONS.includes(envelope.version)) {
    throw new BerthError(
      'EINTERNAL',
      `snapshot of container ${container} is from machine version ${String(envelope.version)}; this Berth runs version ${MACHINE_VERSION}`,
      { container },
    );
  }
  // an older version's context gains what this version added
  const persisted = envelope.snapshot as { context?: Record<string, unknown> };
  const migrated = { ...persisted, context: migrateContext(envelope.version, persisted.context ?? {}) };
  // Restoring through an actor that is never started rebuilds children without running them.
  const snapshot = createActor(machine, {
    snapshot: migrated as unknown as ContainerSnapshot,
    input: { stopSignal: 'SIGTERM', stopTimeout: 10 },
  }).getSnapshot();
  if (snapshot.status === 'error') {
    throw new BerthError('EINTERNAL', `snapshot of container ${container} is corrupt: ${String(snapshot.error)}`, {
      container,
    });
  }
  return snapshot;
}

/** The run (context.run) a persisted snapshot is in, without hydrating it; undefined if unreadable. */
export function persistedRun(json: string): number | undefined {
  try {
    const run = (JSON.parse(json) as { snapshot?: { context?: { run?: unknown } } }).snapshot?.context?.run;
    return typeof run === 'number' ? run : undefined;
  } catch {
    return undefined;
  }
}

/** What the restart policy reads of a persisted snapshot's context, without hydrating it; null if unreadable. */
export function persistedRestartState(json: string): RestartState | null {
  try {
    const ctx = (JSON.parse(json) as { snapshot?: { context?: Partial<RestartState> } }).snapshot?.context;
    if (!ctx || typeof ctx.restartCount !== 'number' || typeof ctx.exitCode !== 'number') return null;
    return { ...ctx, restartCount: ctx.restartCount, exitCode: ctx.exitCode, startedAt: typeof ctx.startedAt === 'string' ? ctx.startedAt : null };
  } catch {
    return null;
  }
}
