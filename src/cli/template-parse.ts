/**
 * The parser of Go's text/template, for the subset Podman users write in `--format`: text and
 * actions (`{{ }}`, with `{{-`/`-}}` trimming and `{{/* comments *\/}}`), pipelines of commands
 * (`.A.B`, `.`, `$`, `$x.A`, functions, string/raw/number/bool/nil literals, `( )`, `|`),
 * variable declarations (`$x := …`, `range $i, $e := …`), and `if`/`else if`/`else`, `range`,
 * `with`, `end`. Errors read as Go's: "template: ps:1: function \"foo\" not defined".
 */
import { BerthError } from '../errors.js';
import { quoted } from '../printable.js';

export type Operand =
  | { kind: 'field'; path: string[] }
  | { kind: 'var'; name: string; path: string[] }
  | { kind: 'func'; name: string }
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'pipe'; pipe: Pipeline; path: string[] };

export interface Pipeline {
  decl: string[];
  cmds: Operand[][];
}

/** Where an action starts (1-based line, 0-based column, as Go reports them) and its text. */
export interface Pos {
  line: number;
  col: number;
  text: string;
}

export type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline; pos: Pos }
  | { kind: 'if' | 'with' | 'range'; pipe: Pipeline; list: TemplateNode[]; elseList: TemplateNode[] | undefined; pos: Pos };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const FIELDS = /^(?:\.[A-Za-z_][A-Za-z0-9_]*)+/;
const NUMBER = /^[+-]?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/;

/** An action's text split into tokens; strings are kept whole (they may hold `}}`). */
type Token = { t: 'field'; path: string[] } | { t: 'var'; name: string; path: string[] } | { t: 'ident'; name: string } | { t: 'lit'; value: string | number | boolean | null } | { t: 'punct'; p: '|' | '(' | ')' | ':=' | '=' | ',' } | { t: 'chain'; path: string[] };

export class TemplateParser {
  private pos = 0;
  private line = 1;
  constructor(
    private readonly src: string,
    private readonly name: string,
    private readonly funcs: ReadonlySet<string>,
  ) {}

  fail(message: string, line = this.line): never {
    throw new BerthError('EINVAL', `template: ${this.name}:${line}: ${message}`);
  }

  parse(): TemplateNode[] {
    const { nodes, end } = this.list();
    if (end) this.fail(`unexpected {{${end.word}}}`, end.pos.line);
    return nodes;
  }

  /** Nodes up to EOF, or to an `end` or `else` action, which is returned. */
  private list(): { nodes: TemplateNode[]; end?: { word: 'end' | 'else'; rest: Token[]; pos: Pos } } {
    const nodes: TemplateNode[] = [];
    for (;;) {
      const open = this.src.indexOf('{{', this.pos);
      const textEnd = open < 0 ? this.src.length : open;
      let text = this.src.slice(this.pos, textEnd);
      if (open >= 0 && this.src[open + 2] === '-' && /\s/.test(this.src[open + 3] ?? '')) text = text.replace(/\s+$/, '');
      if (text) nodes.push({ kind: 'text', text });
      this.advance(textEnd);
      if (open < 0) return { nodes };
      const action = this.action();
      if (!action) continue;
      const { tokens, pos } = action;
      const head = tokens[0];
      const word = head?.t === 'ident' ? head.name : undefined;
      if (word === 'end' || word === 'else') return { nodes, end: { word, rest: tokens.slice(1), pos } };
      if (word === 'if' || word === 'with' || word === 'range') nodes.push(this.block(word, tokens.slice(1), pos));
      else if (word === 'define' || word === 'template' || word === 'block' || word === 'break' || word === 'continue') this.fail(`{{${word}}} is not supported in --format`, pos.line);
      else nodes.push({ kind: 'action', pipe: this.pipeline(tokens, word ?? 'command', pos.line), pos });
    }
  }

  private block(word: 'if' | 'with' | 'range', tokens: Token[], pos: Pos): TemplateNode {
    const pipe = this.pipeline(tokens, word, pos.line);
    if (pipe.cmds.length === 0) this.fail(`missing value for ${word}`, pos.line);
    const body = this.list();
    if (!body.end) this.fail('unexpected EOF');
    let elseList: TemplateNode[] | undefined;
    if (body.end.word === 'else') {
      const rest = body.end.rest;
      const chained = rest[0]?.t === 'ident' && (rest[0].name === 'if' || rest[0].name === 'with') ? rest[0].name : undefined;
      if (chained) {
        elseList = [this.block(chained as 'if' | 'with', rest.slice(1), body.end.pos)];
      } else {
        if (rest.length > 0) this.fail('unexpected tokens after {{else}}', body.end.pos.line);
        const tail = this.list();
        if (!tail.end) this.fail('unexpected EOF');
        if (tail.end.word !== 'end') this.fail('expected end; found {{else}}', tail.end.pos.line);
        elseList = tail.nodes;
      }
    } else if (body.end.rest.length > 0) {
      this.fail('unexpected tokens after {{end}}', body.end.pos.line);
    }
    return { kind: word, pipe, list: body.nodes, elseList, pos };
  }

  private advance(to: number): void {
    for (let i = this.pos; i < to; i++) if (this.src[i] === '\n') this.line += 1;
    this.pos = to;
  }

  /** Reads one `{{ … }}` at this.pos; undefined for a comment. */
  private action(): { tokens: Token[]; pos: Pos } | undefined {
    const start = this.pos;
    const lineStart = this.src.lastIndexOf('\n', start - 1) + 1;
    let i = start + 2;
    if (this.src[i] === '-' && /\s/.test(this.src[i + 1] ?? '')) i += 2;
    while (/\s/.test(this.src[i] ?? '')) i++;
    const pos: Pos = { line: this.line, col: i - lineStart, text: '' };
    if (this.src.startsWith('/*', i)) {
      const close = this.src.indexOf('*/', i + 2);
      if (close < 0) this.fail('unclosed comment');
      const end = /^\s*(-\s)?\s*\}\}/.exec(this.src.slice(close + 2));
      if (!end) this.fail('comment ends before closing delimiter');
      this.finish(close + 2 + end[0].length, end[1] !== undefined);
      return undefined;
    }
    const tokens: Token[] = [];
    for (;;) {
      const rest = this.src.slice(i);
      const ws = /^\s*/.exec(rest)![0].length;
      i += ws;
      const r = this.src.slice(i);
      if (r === '') this.fail('unclosed action');
      if (r.startsWith('}}')) return this.close(tokens, pos, i + 2, false, start);
      if (ws > 0 && /^-\s*\}\}/.test(r)) return this.close(tokens, pos, i + /^-\s*\}\}/.exec(r)![0].length, true, start);
      const tok = this.token(r, tokens[tokens.length - 1]);
      tokens.push(tok.token);
      i += tok.length;
    }
  }

  private close(tokens: Token[], pos: Pos, end: number, trim: boolean, start: number): { tokens: Token[]; pos: Pos } {
    pos.text = this.src.slice(start, end);
    this.finish(end, trim);
    return { tokens, pos };
  }

  private finish(end: number, trimAfter: boolean): void {
    this.advance(end);
    if (trimAfter) this.advance(this.pos + /^\s*/.exec(this.src.slice(this.pos))![0].length);
  }

  private token(r: string, prev: Token | undefined): { token: Token; length: number } {
    const c = r[0]!;
    if (c === '"') {
      const m = /^"(?:[^"\\\n]|\\.)*"/.exec(r);
      if (!m) this.fail('unterminated quoted string');
      let value: string;
      try {
        value = JSON.parse(m[0].replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1').replace(/\\'/g, "'")) as string;
      } catch {
        this.fail(`bad quoted string ${m[0]}`);
      }
      return { token: { t: 'lit', value }, length: m[0].length };
    }
    if (c === '`') {
      const close = r.indexOf('`', 1);
      if (close < 0) this.fail('unterminated raw quoted string');
      return { token: { t: 'lit', value: r.slice(1, close) }, length: close + 1 };
    }
    if (c === '.') {
      const m = FIELDS.exec(r);
      const path = m ? m[0].slice(1).split('.') : [];
      if (!m && /^\.[^\s|()}]/.test(r)) this.fail(`bad character ${quoted(r[1]!)} after "."`);
      // a chain right after ")" applies to the parenthesised value
      const chained = prev?.t === 'punct' && prev.p === ')' && m !== null;
      return { token: chained ? { t: 'chain', path } : { t: 'field', path }, length: m ? m[0].length : 1 };
    }
    if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?((?:\.[A-Za-z_][A-Za-z0-9_]*)*)/.exec(r)!;
      return { token: { t: 'var', name: `$${m[1] ?? ''}`, path: m[2] ? m[2].slice(1).split('.') : [] }, length: m[0].length };
    }
    for (const p of [':=', '|', '(', ')', '=', ','] as const) if (r.startsWith(p)) return { token: { t: 'punct', p }, length: p.length };
    const num = NUMBER.exec(r);
    if (num) return { token: { t: 'lit', value: Number(num[0]) }, length: num[0].length };
    const id = IDENT.exec(r);
    if (id) {
      const word = id[0];
      const token: Token = word === 'true' || word === 'false' ? { t: 'lit', value: word === 'true' } : word === 'nil' ? { t: 'lit', value: null } : { t: 'ident', name: word };
      return { token, length: word.length };
    }
    if (c === '}') this.fail('unexpected "}" in operand');
    const cp = r.codePointAt(0)!;
    this.fail(`bad character U+${cp.toString(16).toUpperCase().padStart(4, '0')} ${quoted(String.fromCodePoint(cp))}`);
  }

  /** A pipeline from an action's tokens: `[$a[, $b] :=] cmd [| cmd]...`. */
  private pipeline(tokens: Token[], context: string, line: number): Pipeline {
    let toks = tokens;
    const decl: string[] = [];
    const assign = toks.findIndex((t) => t.t === 'punct' && (t.p === ':=' || t.p === '='));
    if (assign >= 0) {
      for (const t of toks.slice(0, assign)) {
        if (t.t === 'var' && t.path.length === 0) decl.push(t.name);
        else if (!(t.t === 'punct' && t.p === ',')) this.fail(`unexpected token in variable declaration in ${context}`, line);
      }
      if (decl.length === 0 || decl.length > 2) this.fail(`bad variable declaration in ${context}`, line);
      toks = toks.slice(assign + 1);
    }
    const { pipe, used } = this.commands(toks, 0, context, line);
    if (used < toks.length) this.fail(`unexpected ${describe(toks[used]!)} in ${context}`, line);
    return { decl, cmds: pipe.cmds };
  }

  private commands(toks: Token[], from: number, context: string, line: number): { pipe: Pipeline; used: number } {
    const cmds: Operand[][] = [];
    let cmd: Operand[] = [];
    let i = from;
    for (; i < toks.length; i++) {
      const t = toks[i]!;
      if (t.t === 'punct' && t.p === ')') break;
      if (t.t === 'punct' && t.p === '|') {
        if (cmd.length === 0) this.fail(`missing command before "|" in ${context}`, line);
        cmds.push(cmd);
        cmd = [];
        continue;
      }
      if (t.t === 'punct' && t.p === '(') {
        const inner = this.commands(toks, i + 1, context, line);
        if (toks[inner.used]?.t !== 'punct') this.fail(`unclosed left paren in ${context}`, line);
        i = inner.used;
        const next = toks[i + 1];
        const path = next?.t === 'chain' ? next.path : [];
        if (next?.t === 'chain') i += 1;
        cmd.push({ kind: 'pipe', pipe: inner.pipe, path });
        continue;
      }
      if (t.t === 'field') cmd.push({ kind: 'field', path: t.path });
      else if (t.t === 'var') cmd.push({ kind: 'var', name: t.name, path: t.path });
      else if (t.t === 'lit') cmd.push({ kind: 'literal', value: t.value });
      else if (t.t === 'ident') {
        if (!this.funcs.has(t.name)) this.fail(`function ${JSON.stringify(t.name)} not defined`, line);
        cmd.push({ kind: 'func', name: t.name });
      } else this.fail(`unexpected ${describe(t)} in ${context}`, line);
    }
    if (cmd.length > 0) cmds.push(cmd);
    else if (cmds.length > 0) this.fail(`missing command after "|" in ${context}`, line);
    return { pipe: { decl: [], cmds }, used: i };
  }
}

function describe(t: Token): string {
  switch (t.t) {
    case 'punct':
      return JSON.stringify(t.p);
    case 'lit':
      return JSON.stringify(t.value);
    case 'ident':
      return `<${t.name}>`;
    default:
      return `<${t.t === 'var' ? t.name : ''}.${t.path.join('.')}>`;
  }
}
