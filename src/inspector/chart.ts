/**
 * The statechart the inspector draws, projected from the machine definition itself
 * (`containerMachine.root`, the live form of `machine.definition`): every state with its nesting,
 * initial child, invoked runtime call and delay, every transition with its event and guard, and
 * for each resting place a container can be in, which commands the machine accepts there.
 * Pure and JSON-serialisable: the server computes it once and the page draws it.
 *
 * State paths match TransitionEvent.to and Inspect's Status/Activity: a status's idle child is
 * the status itself ("running"), any other child is "status.child" ("running.pausing").
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { initialSnapshot, type ContainerSnapshot } from '../actors/snapshot.js';
import { accepts, type MachineEventInput } from '../actors/step.js';
import { BerthError } from '../errors.js';
import { ARGLESS_COMMANDS as COMMANDS, commandToEvent, containerMachine, describeGuard, type CommandName } from '../machines/index.js';
import { describeIssues } from '../spec.js';

export interface ChartNode {
  /** State path without the machine id: "running", "running.pausing". */
  id: string;
  key: string;
  parent: string | null;
  kind: 'compound' | 'atomic' | 'final';
  /** The child entered by default, compound states only. */
  initial: string | null;
  /** The runtime call invoked while in this state ("ociPause"). */
  invoke: string | null;
  /** A delay that moves on from this state ("stopTimeout"). */
  after: string | null;
  /** Something is in flight here (a call or a timer): the container is between two resting states. */
  transient: boolean;
}

export interface ChartEdge {
  /** Source path; "*" for transitions on the machine itself (taken from any state). */
  source: string;
  target: string;
  /** The event type as the machine spells it ("cmd.pause", "xstate.done.actor.pause"). */
  event: string;
  /** Short label: "pause", "ociPause done", "after stopTimeout". */
  label: string;
  guard: string | null;
  /** The user command that takes this edge, if it is one. */
  command: CommandName | null;
}

export interface CommandInfo {
  command: CommandName;
  valid: boolean;
  /** Why not, when not valid; '' otherwise. */
  reason: string;
}

export interface Chart {
  machine: string;
  version: string;
  /** The path a new container starts in. */
  initial: string;
  nodes: ChartNode[];
  edges: ChartEdge[];
  /** For every path a container can be in: each user command, valid or not and why. */
  commands: Record<string, CommandInfo[]>;
}

/** The state a container is in, as Inspect reports it (State.Status and State.Activity). */
export interface PositionLike {
  State: { Status: string; Activity: string };
}

/** The path of an inspect object: "running", "running.pausing". */
export function pathOf(inspect: PositionLike): string {
  return normalizePath(inspect.State.Activity ? `${inspect.State.Status}.${inspect.State.Activity}` : inspect.State.Status);
}

/** Event paths name the idle child ("running.idle"); the chart's resting paths do not ("running"). */
export function normalizePath(path: string): string {
  return path.endsWith('.idle') ? path.slice(0, -'.idle'.length) : path;
}

function pathOfNode(node: AnyStateNode): string {
  return node.path.join('.');
}

/** The path as Inspect spells it: an idle child is its parent status. */
function restingPath(node: AnyStateNode): string {
  return node.path.length > 1 && node.key === 'idle' ? node.path.slice(0, -1).join('.') : pathOfNode(node);
}

function actorOf(node: AnyStateNode): string | null {
  const invoke = node.invoke[0] as { src: unknown; id: string } | undefined;
  if (!invoke) return null;
  return typeof invoke.src === 'string' ? invoke.src : invoke.id;
}

/** A delay that starts here: an `after`, or a delayed event raised on entry (a durable timer). */
function delayOf(node: AnyStateNode): string | null {
  const raised = (node.entry as unknown[]).find((a): a is { type: string; delay: unknown } => (a as { type?: unknown } | null)?.type === 'xstate.raise' && (a as { delay?: unknown }).delay !== undefined);
  const after = (node.after[0] as { delay: unknown } | undefined) ?? raised;
  if (!after) return null;
  return typeof after.delay === 'number' ? `${after.delay} ms` : String(after.delay);
}

function labelOf(node: AnyStateNode, event: string): string {
  if (event.startsWith('cmd.')) return event.slice(4);
  if (event.startsWith('xstate.after.')) return `after ${delayOf(node) ?? 'delay'}`;
  const outcome = event.startsWith('xstate.done.actor.') ? 'done' : event.startsWith('xstate.error.actor.') ? 'error' : null;
  if (outcome) return `${actorOf(node) ?? 'call'} ${outcome}`;
  return event;
}

function commandOf(event: string): CommandName | null {
  const name = event.startsWith('cmd.') ? event.slice(4) : '';
  return (COMMANDS as readonly string[]).includes(name) ? (name as CommandName) : null;
}

interface TransitionLike {
  target?: readonly AnyStateNode[] | undefined;
  guard?: unknown;
}

function project(machine: AnyStateMachine): Pick<Chart, 'nodes' | 'edges'> {
  const nodes: ChartNode[] = [];
  const edges: ChartEdge[] = [];
  const visit = (node: AnyStateNode, isRoot: boolean) => {
    if (!isRoot) {
      const invoke = actorOf(node);
      const after = delayOf(node);
      const initial = node.initial?.target?.[0] as AnyStateNode | undefined;
      nodes.push({
        id: pathOfNode(node),
        key: node.key,
        parent: node.path.length > 1 ? node.path.slice(0, -1).join('.') : null,
        kind: node.type === 'final' ? 'final' : node.type === 'compound' ? 'compound' : 'atomic',
        initial: node.type === 'compound' && initial ? initial.key : null,
        invoke,
        after,
        transient: invoke !== null || after !== null,
      });
    }
    for (const [event, transitions] of node.transitions as Map<string, TransitionLike[]>) {
      for (const t of transitions) {
        const targets = t.target && t.target.length > 0 ? t.target : isRoot ? [] : [node];
        for (const target of targets) {
          edges.push({
            source: isRoot ? '*' : pathOfNode(node),
            target: pathOfNode(target),
            event,
            label: labelOf(node, event),
            guard: t.guard === undefined ? null : describeGuard(t.guard),
            command: commandOf(event),
          });
        }
      }
    }
    for (const child of Object.values(node.states) as AnyStateNode[]) visit(child, false);
  };
  visit(machine.root, true);
  return { nodes, edges };
}

/** The event a command becomes, with the arguments a button sends (stop -t 10, kill SIGKILL, rm). */
export function commandEvent(command: CommandName, args: { timeout?: number; signal?: string; force?: boolean } = {}): MachineEventInput {
  const parsed = commandToEvent(command, args, { stopTimeout: 10, timers: {} });
  if (!parsed.ok) throw new BerthError('EINVAL', `invalid arguments for ${command}: ${describeIssues(parsed.issues)}`);
  return parsed.event as MachineEventInput;
}

const baseContext = initialSnapshot({ stopSignal: 'SIGTERM', stopTimeout: 10 }).context;

/** A snapshot at a path, for asking the machine what it accepts there. */
function snapshotAt(path: string): ContainerSnapshot {
  const [status = '', child] = path.split('.');
  return containerMachine.resolveState({ value: child ? { [status]: child } : status, context: baseContext });
}

/** Which commands the machine accepts in `snapshot`; `validIn` lets the reasons name where they are valid. */
export function commandsForSnapshot(snapshot: ContainerSnapshot, path: string, validIn?: Map<CommandName, string[]>): CommandInfo[] {
  const activity = path.includes('.') ? path.slice(path.indexOf('.') + 1) : '';
  return COMMANDS.map((command) => {
    if (accepts(snapshot, commandEvent(command))) return { command, valid: true, reason: '' };
    const where = validIn?.get(command) ?? [];
    const status = path.split('.')[0] ?? path;
    const busy = activity !== '' && where.includes(status);
    const reason = busy
      ? `${command} must wait: ${activity} is in flight`
      : `cannot ${command} a container in state ${path} (container state improper)` +
        (where.length ? `; ${command} is valid in ${where.join(', ')}` : '');
    return { command, valid: false, reason };
  });
}

function commandTable(nodes: readonly ChartNode[]): Record<string, CommandInfo[]> {
  const paths = nodes
    .filter((n) => n.kind !== 'compound')
    .map((n) => (n.key === 'idle' && n.parent ? n.parent : n.id));
  const validIn = new Map<CommandName, string[]>(COMMANDS.map((c) => [c, []]));
  for (const path of paths) {
    const snap = snapshotAt(path);
    for (const command of COMMANDS) if (accepts(snap, commandEvent(command))) validIn.get(command)!.push(path);
  }
  for (const [command, where] of validIn) validIn.set(command, compact(where, paths));
  return Object.fromEntries(paths.map((path) => [path, commandsForSnapshot(snapshotAt(path), path, validIn)]));
}

/** "stopping.signalling, stopping.waiting, …" -> "stopping" when every path of that status is listed. */
function compact(where: readonly string[], all: readonly string[]): string[] {
  const statusOf = (p: string) => p.split('.')[0] ?? p;
  const out: string[] = [];
  for (const path of where) {
    const status = statusOf(path);
    const complete = all.filter((p) => statusOf(p) === status).every((p) => where.includes(p));
    const name = complete ? status : path;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

let cached: Chart | undefined;

/** The container machine's chart (computed once; the machine never changes at runtime). */
export function containerChart(): Chart {
  if (!cached) {
    const { nodes, edges } = project(containerMachine);
    const initial = restingPath(containerMachine.root.initial.target[0] as AnyStateNode);
    cached = {
      machine: containerMachine.id,
      version: String(containerMachine.version),
      initial,
      nodes,
      edges,
      commands: commandTable(nodes),
    };
  }
  return cached;
}

/** Which commands are valid now for a container, and why not for the others. */
export function commandsFor(inspect: PositionLike): CommandInfo[] {
  const path = pathOf(inspect);
  const known = containerChart().commands[path];
  if (known) return known;
  return COMMANDS.map((command) => ({ command, valid: false, reason: `unknown state ${path}` }));
}
