/**
 * The statechart as a Mermaid `stateDiagram-v2`, generated from the machine definition itself
 * (`machine.root`): states and nested states, initial and final states, every transition with its
 * event name and guard, `after` delays, and the done/error edges of invoked actors. Pure and
 * deterministic, so a test can compare it with the README's copy.
 *
 * Mermaid ids are global, so a nested state's id is its path ("running_idle") with its key as the
 * label. Each edge is written inside the innermost composite state that contains both ends;
 * transitions between the same two states share one edge, their labels joined.
 * Transitions on the machine itself (valid in every state) start from an "any state" node.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { describeGuard } from '../machines/index.js';

const ANY_STATE = 'any_state';

interface Edge {
  from: string;
  to: string;
  label: string;
  /** The composite state whose block the edge is written in; undefined: the top level. */
  scope: AnyStateNode | undefined;
}

/** Mermaid labels end at a newline or ';' and treat '#' as an entity escape: keep them out. */
function clean(text: string): string {
  return text.replace(/[;#\n\r]/g, ' ').replace(/\s+/g, ' ').trim();
}

function idOf(node: AnyStateNode): string {
  return node.path.map((p: string) => p.replace(/[^a-zA-Z0-9_]/g, '_')).join('_');
}

/** The actor's name in `setup({ actors })`, or the invoke's id for an inline (unnamed) actor. */
function actorName(invoke: { id: string; src: unknown }): string {
  return typeof invoke.src === 'string' && !invoke.src.startsWith('xstate.') ? invoke.src : invoke.id;
}

/** A named action ("requestCleanup", `{ type }`); inline and built-in ones have no useful name. */
function actionName(action: unknown): string | undefined {
  const name = typeof action === 'string' ? action : (action as { type?: unknown } | null)?.type;
  return typeof name === 'string' && !name.startsWith('xstate.') ? name : undefined;
}

/** A durable timer set on entry (a delayed raise): "stopDeadline after stopTimeout". */
function timerName(action: unknown): string | undefined {
  const a = action as { type?: unknown; id?: unknown; delay?: unknown } | null;
  if (a?.type !== 'xstate.raise' || a.delay === undefined) return undefined;
  return `${typeof a.id === 'string' ? a.id : 'timer'} after ${typeof a.delay === 'number' ? `${a.delay} ms` : String(a.delay)}`;
}

/** The event part of a transition's label. */
function eventLabel(node: AnyStateNode, eventType: string): string {
  if (eventType === '') return 'always';
  if (eventType === '*') return 'any event';
  if (eventType.startsWith('xstate.after.')) {
    const after = node.after.find((a: { eventType: string }) => a.eventType === eventType);
    const delay: unknown = after?.delay;
    const text = typeof delay === 'number' ? `${delay} ms` : typeof delay === 'string' ? delay : 'delay';
    return `after ${text}`;
  }
  for (const [prefix, outcome] of [
    ['xstate.done.actor.', 'done'],
    ['xstate.error.actor.', 'error'],
  ] as const) {
    if (eventType.startsWith(prefix)) {
      const id = eventType.slice(prefix.length);
      const invoke = node.invoke.find((i: { id: string }) => i.id === id);
      return `${invoke ? actorName(invoke) : id} ${outcome}`;
    }
  }
  if (eventType.startsWith('xstate.done.state.')) return 'done';
  return eventType;
}

function ancestors(node: AnyStateNode): AnyStateNode[] {
  const out: AnyStateNode[] = [];
  for (let p = node.parent; p; p = p.parent) out.push(p);
  return out;
}

/** The innermost state that strictly contains both nodes; undefined when that is the root. */
function scopeOf(a: AnyStateNode, b: AnyStateNode): AnyStateNode | undefined {
  const ofB = new Set(ancestors(b));
  const common = ancestors(a).find((n) => ofB.has(n));
  return common && common.parent ? common : undefined;
}

/** What a transition definition holds that the diagram needs. */
interface TransitionLike {
  target?: readonly AnyStateNode[] | undefined;
  guard?: unknown;
}

function collectEdges(root: AnyStateNode): Edge[] {
  const edges: Edge[] = [];
  const visit = (node: AnyStateNode) => {
    const entries: Array<[string, readonly TransitionLike[]]> = [...(node.transitions as Map<string, TransitionLike[]>)];
    if (node.always?.length) entries.push(['', node.always]);
    for (const [eventType, transitions] of entries) {
      for (const t of transitions) {
        const guard = t.guard === undefined ? '' : ` [${describeGuard(t.guard)}]`;
        const label = clean(`${eventLabel(node, eventType)}${guard}`);
        // a targetless transition stays in its state: a self-loop (none for the machine itself)
        const targets = t.target && t.target.length > 0 ? t.target : node === root ? [] : [node];
        for (const target of targets) {
          if (node === root) {
            edges.push({ from: ANY_STATE, to: idOf(target), label, scope: undefined });
          } else {
            edges.push({ from: idOf(node), to: idOf(target), label, scope: scopeOf(node, target) });
          }
        }
      }
    }
    for (const child of Object.values(node.states) as AnyStateNode[]) visit(child);
  };
  visit(root);
  return mergeParallel(edges);
}

/** Edges between the same two states become one, their labels joined ("cmd.init, cmd.start"). */
function mergeParallel(edges: readonly Edge[]): Edge[] {
  const byEnds = new Map<string, Edge>();
  for (const e of edges) {
    const key = `${e.from} ${e.to}`;
    const seen = byEnds.get(key);
    if (!seen) byEnds.set(key, { ...e });
    else if (!seen.label.split(', ').includes(e.label)) seen.label = `${seen.label}, ${e.label}`;
  }
  return [...byEnds.values()];
}

function stateLines(node: AnyStateNode, edges: readonly Edge[], indent: string): string[] {
  const lines: string[] = [];
  const children = Object.values(node.states) as AnyStateNode[];
  const initial = node.initial?.target?.[0] as AnyStateNode | undefined;
  if (node.type === 'compound' && initial) lines.push(`${indent}[*] --> ${idOf(initial)}`);
  children.forEach((child, i) => {
    if (node.type === 'parallel' && i > 0) lines.push(`${indent}--`);
    const id = idOf(child);
    const label = child.type === 'history' ? `${child.key} (history)` : child.key;
    if (Object.keys(child.states).length > 0) {
      if (id !== child.key) lines.push(`${indent}state "${clean(label)}" as ${id}`);
      lines.push(`${indent}state ${id} {`, ...stateLines(child, edges, `${indent}    `), `${indent}}`);
    } else if (id !== child.key || label !== child.key) {
      lines.push(`${indent}state "${clean(label)}" as ${id}`);
    }
    for (const invoke of child.invoke) lines.push(`${indent}${id} : invoke ${clean(actorName(invoke))}`);
    for (const action of child.entry as unknown[]) {
      const name = actionName(action) ?? timerName(action);
      if (name) lines.push(`${indent}${id} : entry ${clean(name)}`);
    }
    for (const action of child.exit as unknown[]) {
      const name = actionName(action);
      if (name) lines.push(`${indent}${id} : exit ${clean(name)}`);
    }
    if (child.type === 'final') lines.push(`${indent}${id} --> [*]`);
  });
  const scope = node.parent ? node : undefined;
  for (const e of edges) if (e.scope === scope) lines.push(`${indent}${e.from} --> ${e.to} : ${e.label}`);
  return lines;
}

/** The machine's statechart as Mermaid `stateDiagram-v2` source (no trailing newline). */
export function mermaidOf(machine: AnyStateMachine): string {
  const root = machine.root;
  const edges = collectEdges(root);
  const lines = ['stateDiagram-v2'];
  if (edges.some((e) => e.from === ANY_STATE)) lines.push(`    state "any state" as ${ANY_STATE}`);
  lines.push(...stateLines(root, edges, '    '));
  return lines.join('\n');
}
