/**
 * `--stately`: relays each committed transition to Stately's inspector through
 * @statelyai/inspect's WebSocket adapter, for users who run it (`createInspectorServer` from
 * `@statelyai/inspect/server`, or any relay at the URL). Optional: the package is imported only
 * when asked for, and a missing package is a clear error. A container is one actor (its Id is the
 * session id, its definition the container machine's config); each transition becomes an
 * `@xstate.event` and an `@xstate.snapshot`.
 */
import { isCommandName, containerMachine } from '../machines/index.js';
import { BerthError } from '../errors.js';
import type { Logger } from '../log.js';
import type { EventFeed, TransitionEvent } from '../store/events.js';

const PACKAGE = '@statelyai/inspect';

/** The part of @statelyai/inspect used here (typed locally: the package is optional). */
interface StatelyInspector {
  actor(ref: FakeActorRef, snapshot?: InspectedSnapshot): void;
  event(ref: FakeActorRef, event: { type: string }): void;
  snapshot(ref: FakeActorRef, snapshot: InspectedSnapshot, info?: { event?: { type: string } }): void;
  stop(): void;
}
interface StatelyModule {
  createWebSocketInspector(options: { url: string }): StatelyInspector;
}

/** What the inspector reads from an actor ref: its session id, name and machine config. */
interface FakeActorRef {
  sessionId: string;
  id: string;
  logic: { config: unknown };
  send(): void;
  getSnapshot(): unknown;
}

export interface InspectedSnapshot {
  status: 'active' | 'done';
  value: string | Record<string, string>;
  context: Record<string, unknown>;
}

export interface StatelyRelay {
  close(): Promise<void>;
}

/** "running.pausing" -> { running: 'pausing' }; "running" -> { running: 'idle' }; "unknown" -> "unknown". */
export function stateValueOf(path: string): string | Record<string, string> {
  const [status = path, child] = path.split('.');
  if (child) return { [status]: child };
  const node = containerMachine.root.states[status];
  const initial = node?.initial?.target?.[0]?.key;
  return node && Object.keys(node.states).length > 0 && initial ? { [status]: initial } : status;
}

/** A transition as inspection data: the event that caused it and the snapshot after it. */
export function inspectionOf(e: TransitionEvent): { event: { type: string }; snapshot: InspectedSnapshot } {
  const command = e.command.replace(/ \(internal\)$/, '');
  const state = e.state.State as Record<string, unknown>;
  return {
    event: { type: isCommandName(command) ? `cmd.${command}` : `berth.${command}` },
    snapshot: {
      status: e.to === 'removed' ? 'done' : 'active',
      value: stateValueOf(e.to),
      context: {
        name: e.name,
        node: e.node,
        pid: state['Pid'],
        exitCode: state['ExitCode'],
        error: state['Error'],
        restartCount: e.state['RestartCount'],
        version: e.version,
        jobId: e.jobId,
      },
    },
  };
}

export async function startStatelyRelay(opts: { url: string; feed: EventFeed; log: Logger }): Promise<StatelyRelay> {
  let mod: StatelyModule;
  try {
    mod = (await import(PACKAGE)) as StatelyModule;
  } catch (err) {
    throw new BerthError('EUNSUPPORTED', `--stately needs the optional package ${PACKAGE}: npm install ${PACKAGE}`, { cause: err });
  }
  const inspector = mod.createWebSocketInspector({ url: opts.url });
  const refs = new Map<string, FakeActorRef>();
  const unsubscribe = opts.feed.subscribe(({ event: e }) => {
    try {
      const { event, snapshot } = inspectionOf(e);
      let ref = refs.get(e.id);
      if (!ref) {
        ref = { sessionId: e.id, id: e.name, logic: { config: containerMachine.config }, send: () => {}, getSnapshot: () => snapshot };
        refs.set(e.id, ref);
        inspector.actor(ref, snapshot);
      }
      inspector.event(ref, event);
      inspector.snapshot(ref, snapshot, { event });
      if (snapshot.status === 'done') refs.delete(e.id);
    } catch (err) {
      opts.log.warn({ err, container: e.id }, 'stately relay: event dropped');
    }
  });
  opts.log.info({ url: opts.url }, 'relaying inspection events to Stately inspector');
  return {
    async close() {
      unsubscribe();
      inspector.stop();
    },
  };
}
