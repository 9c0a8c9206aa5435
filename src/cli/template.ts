/**
 * Go templates for `--format`, as Podman renders them (containers/common's report package), hand
 * written: no npm library implements Go's text/template. What Podman users write works:
 * `{{.Field}}`, `{{.State.Status}}`, `{{json .}}`, `{{range .X}}…{{end}}`, `{{if .X}}…{{else}}…{{end}}`,
 * `{{with}}`, `{{index .M "k"}}`, `{{upper}}`, `{{lower}}`, `{{title}}`, `{{join .X ","}}`,
 * `{{truncate .X 5}}`, `{{pad}}`, `{{split}}`, `{{printf}}`, `{{len}}`, comparisons; `\t` and `\n`
 * typed literally become a tab and a newline; a `table` prefix adds a header row (each field's
 * header: the caller's, else its name in capitals, CreatedAt as CREATED AT) and aligns cells
 * separated by tabs as Go's tabwriter does (minimum width 12, padding 2); without it tabs stay.
 *
 * A bad template is an EINVAL at compile time; an unknown field of a struct-like object (every key
 * capitalised, as Podman's) is an EINVAL at render time, in Go's words. `renderRows` renders every
 * value before returning, so a failure prints nothing. Values are escaped for the terminal.
 */
import { TemplateExecutor } from './template-exec.js';
import { TEMPLATE_FUNC_NAMES } from './template-funcs.js';
import { TemplateParser, type TemplateNode } from './template-parse.js';

export interface TemplateOptions {
  /** The template's name in error messages, as Go's ("ps", "inspect"). Default "format". */
  name?: string;
  /** The root value's type in error messages ("can't evaluate field X in type Container"). */
  rootType?: string;
  /** Header per field name for a `table` template (ID: "CONTAINER ID"). */
  headers?: Readonly<Record<string, string>>;
  /** What a bare `table` means (Podman: the verb's default columns). */
  defaultTable?: string;
}

export interface CompiledTemplate {
  /** True for a `table …` template: rows get a header and aligned cells. */
  readonly table: boolean;
  /** One value's output (no header, no alignment). */
  render(value: unknown): string;
  /** The header row of a table template ('' otherwise). */
  header(): string;
}

/** `\t`, `\n` and `\r` typed as two characters become the character, as Podman's NormalizeFormat does. */
export function normalizeFormat(format: string): string {
  return format.replace(/\\([tnr])/g, (_m, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : '\r'));
}

/** Compiles a template once, to render many values; EINVAL for a bad one. */
export function compileTemplate(format: string, options: TemplateOptions = {}): CompiledTemplate {
  const name = options.name ?? 'format';
  let text = normalizeFormat(format);
  const table = /^table(\s|$)/.test(text);
  if (table) {
    text = text.replace(/^table\s*/, '');
    if (text.trim() === '') text = normalizeFormat(options.defaultTable ?? '{{json .}}');
  }
  const nodes: TemplateNode[] = new TemplateParser(text, name, TEMPLATE_FUNC_NAMES).parse();
  const executor = new TemplateExecutor(name, options.rootType ?? 'struct');
  return {
    table,
    render: (value) => executor.run(nodes, value),
    header: () => (table ? executor.header(nodes, options.headers ?? {}) : ''),
  };
}

/** One value through a template: `renderTemplate('{{.State.Status}}', c)`. A table template adds its header line. */
export function renderTemplate(format: string, value: unknown, options: TemplateOptions = {}): string {
  return renderRows(format, [value], options);
}

/**
 * Every value through one template, one output per value (a newline added when the template does
 * not end with one); for a table the header first and cells aligned on tabs (other templates keep
 * their tabs, as Podman prints them). All is rendered
 * before anything is returned. The result has no final newline.
 */
export function renderRows(format: string, values: readonly unknown[], options: TemplateOptions = {}): string {
  const template = compileTemplate(format, options);
  const chunks = template.table ? [template.header()] : [];
  for (const v of values) chunks.push(template.render(v));
  const text = chunks.map((c) => (c.endsWith('\n') ? c : `${c}\n`)).join('');
  // Podman aligns a table's cells only; other output keeps its tabs
  return (template.table ? alignTabs(text) : text).replace(/\n$/, '');
}

/**
 * Go's tabwriter as Podman sets it up (minwidth 12, padding 2, spaces): a cell is text ended by a
 * tab; a column is as wide as its widest cell plus 2, at least 12, over a run of consecutive lines
 * that have that cell; text after a line's last tab is not aligned.
 */
export function alignTabs(text: string, minWidth = 12, padding = 2): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const widths = lines.map((cells) => cells.map(() => 0));
  const depth = Math.max(0, ...lines.map((c) => c.length - 1));
  for (let col = 0; col < depth; col++) {
    let start = 0;
    while (start < lines.length) {
      if (lines[start]!.length - 1 <= col) {
        start += 1;
        continue;
      }
      let end = start;
      let width = 0;
      while (end < lines.length && lines[end]!.length - 1 > col) {
        width = Math.max(width, [...lines[end]![col]!].length + padding);
        end += 1;
      }
      width = Math.max(width, minWidth);
      for (let i = start; i < end; i++) widths[i]![col] = width;
      start = end;
    }
  }
  return lines.map((cells, i) => cells.map((cell, col) => (col < cells.length - 1 ? cell.padEnd(widths[i]![col]! + cell.length - [...cell].length) : cell)).join('')).join('\n');
}
