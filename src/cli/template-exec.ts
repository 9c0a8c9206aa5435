/**
 * Executes a parsed `--format` template against a value, as Go's text/template does: `.` is the
 * value (then each range element, each `with` value), `$` the root, variables are scoped to
 * their block; fields of a struct-like object must exist ("can't evaluate field X in type T"),
 * keys of a map-like one may be missing (`<no value>`). Errors read as Go's: "template: ps:1:2:
 * executing \"ps\" at <.Nope>: can't evaluate field Nope in type State". Header mode renders a
 * table's header row: each action prints the header of its first field instead of a value.
 */
import { BerthError } from '../errors.js';
import type { Operand, Pipeline, Pos, TemplateNode } from './template-parse.js';
import { TEMPLATE_FUNCS, TemplateFuncError } from './template-funcs.js';
import { fieldsOf, goType, isRecord, isStruct, isTruthy, NO_VALUE, printValue } from './template-value.js';

/** The header of a field path's last name: `headers` first, else Podman's default (CreatedAt: CREATED AT). */
export function headerOf(path: readonly string[], headers: Readonly<Record<string, string>>): string {
  const last = path[path.length - 1];
  if (last === undefined) return '';
  return headers[last] ?? (last.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+/g) ?? [last]).join(' ').toUpperCase();
}

interface Scope {
  vars: Array<[string, unknown]>;
}

export class TemplateExecutor {
  private pos: Pos = { line: 1, col: 0, text: '' };
  constructor(
    private readonly name: string,
    private readonly rootType: string,
  ) {}

  run(nodes: readonly TemplateNode[], value: unknown): string {
    const out: string[] = [];
    this.walk(nodes, value, { vars: [['$', value]] }, out);
    return out.join('');
  }

  /** The header row: text as it is, each action the header of its first field. */
  header(nodes: readonly TemplateNode[], headers: Readonly<Record<string, string>>): string {
    return nodes
      .map((n) => {
        if (n.kind === 'text') return n.text;
        if (n.kind === 'action') {
          const path = firstField(n.pipe);
          return path ? headerOf(path, headers) : '';
        }
        return this.header(n.list, headers);
      })
      .join('');
  }

  private fail(message: string): never {
    throw new BerthError('EINVAL', `template: ${this.name}:${this.pos.line}:${this.pos.col}: executing ${JSON.stringify(this.name)} at <${this.pos.text.replace(/^\{\{-?\s*|\s*-?\}\}$/g, '')}>: ${message}`);
  }

  private walk(nodes: readonly TemplateNode[], dot: unknown, scope: Scope, out: string[]): void {
    for (const node of nodes) {
      if (node.kind === 'text') {
        out.push(node.text);
        continue;
      }
      this.pos = node.pos;
      if (node.kind === 'action') {
        const v = this.pipeline(node.pipe, dot, scope);
        if (node.pipe.decl.length === 0) out.push(printValue(v));
        continue;
      }
      const inner: Scope = { vars: [...scope.vars] };
      const v = this.pipeline(node.pipe, dot, node.kind === 'range' ? { vars: inner.vars } : inner);
      if (node.kind === 'range') {
        this.range(node.pipe.decl, v, node.list, node.elseList, dot, scope, out);
      } else if (isTruthy(v)) {
        this.walk(node.list, node.kind === 'with' ? v : dot, inner, out);
      } else if (node.elseList) {
        this.walk(node.elseList, dot, scope, out);
      }
    }
  }

  private range(decl: string[], v: unknown, list: readonly TemplateNode[], elseList: readonly TemplateNode[] | undefined, dot: unknown, scope: Scope, out: string[]): void {
    let items: Array<[unknown, unknown]>;
    if (Array.isArray(v)) items = v.map((e, i) => [i, e]);
    else if (isRecord(v)) items = fieldsOf(v).sort().map((k) => [k, v[k]]);
    else if (typeof v === 'number' && Number.isInteger(v) && v >= 0) items = Array.from({ length: v }, (_x, i) => [i, i]);
    else if (v === null || v === undefined || v === NO_VALUE) items = [];
    else this.fail(`range can't iterate over ${printValue(v)}`);
    if (items.length === 0) {
      if (elseList) this.walk(elseList, dot, scope, out);
      return;
    }
    for (const [k, e] of items) {
      const vars: Array<[string, unknown]> = [...scope.vars];
      if (decl.length === 1) vars.push([decl[0]!, e]);
      if (decl.length === 2) vars.push([decl[0]!, k], [decl[1]!, e]);
      this.walk(list, e, { vars }, out);
    }
  }

  private pipeline(pipe: Pipeline, dot: unknown, scope: Scope): unknown {
    let value: unknown = undefined;
    let piped = false;
    for (const cmd of pipe.cmds) {
      value = this.command(cmd, dot, scope, piped ? [value] : []);
      piped = true;
    }
    if (pipe.decl.length === 1) scope.vars.push([pipe.decl[0]!, value]);
    return value;
  }

  private command(cmd: readonly Operand[], dot: unknown, scope: Scope, piped: unknown[]): unknown {
    const head = cmd[0]!;
    if (head.kind === 'func') {
      const args = [...cmd.slice(1).map((o) => this.operand(o, dot, scope)), ...piped];
      try {
        return TEMPLATE_FUNCS[head.name]!(...args);
      } catch (err) {
        if (err instanceof TemplateFuncError) this.fail(err.message);
        throw err;
      }
    }
    if (cmd.length > 1 || piped.length > 0) this.fail(`can't give argument to non-function ${describe(head)}`);
    return this.operand(head, dot, scope);
  }

  private operand(o: Operand, dot: unknown, scope: Scope): unknown {
    switch (o.kind) {
      case 'literal':
        return o.value;
      case 'field':
        return this.fields(dot, o.path, this.rootType);
      case 'var': {
        const found = [...scope.vars].reverse().find(([n]) => n === o.name);
        if (!found) this.fail(`undefined variable: ${o.name}`);
        return this.fields(found[1], o.path, this.rootType);
      }
      case 'pipe':
        return this.fields(this.pipeline(o.pipe, dot, { vars: [...scope.vars] }), o.path, 'interface {}');
      case 'func':
        return this.command([o], dot, scope, []);
    }
  }

  private fields(v: unknown, path: readonly string[], rootType: string): unknown {
    let cur = v;
    let type = rootType;
    for (const name of path) {
      if (cur === NO_VALUE || cur === undefined || cur === null) return NO_VALUE;
      if (!isRecord(cur)) this.fail(`can't evaluate field ${name} in type ${goType(cur)}`);
      if (Object.hasOwn(cur, name) && Object.prototype.propertyIsEnumerable.call(cur, name)) {
        cur = cur[name];
        type = name;
      } else if (isStruct(cur)) {
        this.fail(`can't evaluate field ${name} in type ${type}`);
      } else {
        return NO_VALUE;
      }
    }
    return cur;
  }
}

function firstField(pipe: Pipeline): readonly string[] | undefined {
  for (const cmd of pipe.cmds) {
    for (const o of cmd) {
      if (o.kind === 'field' || o.kind === 'var') return o.path;
      if (o.kind === 'pipe') {
        const inner = firstField(o.pipe);
        if (inner) return inner;
      }
    }
  }
  return undefined;
}

function describe(o: Operand): string {
  if (o.kind === 'field') return `.${o.path.join('.')}`;
  if (o.kind === 'var') return [o.name, ...o.path].join('.');
  if (o.kind === 'literal') return JSON.stringify(o.value);
  return '(pipeline)';
}
