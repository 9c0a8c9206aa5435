/**
 * The package's public surface, three ways: the list README.md holds (between
 * `<!-- api-surface:start -->` and `<!-- api-surface:end -->`, one table row per export: name and
 * kind), the names an entry declares (re-exports of src/index.ts or dist/index.d.ts), and the keys
 * of the loaded module. `surfaceDiff` says what differs, by name.
 */
export type ExportKind = 'value' | 'type';
export type Surface = Map<string, ExportKind>;

/** The README's list; throws when the markers or the rows are missing. */
export function readmeSurface(readme: string): Surface {
  const block = /<!-- api-surface:start -->([\s\S]*?)<!-- api-surface:end -->/.exec(readme)?.[1];
  if (block === undefined) throw new Error('README.md has no <!-- api-surface:start --> … <!-- api-surface:end --> block');
  const out: Surface = new Map();
  for (const m of block.matchAll(/^\| `([A-Za-z_$][\w$]*)` \| (value|type) \|/gm)) {
    if (out.has(m[1]!)) throw new Error(`README.md lists ${m[1]} twice`);
    out.set(m[1]!, m[2] as ExportKind);
  }
  if (out.size === 0) throw new Error('README.md\'s API surface block lists no export ("| `Name` | value | … |" rows)');
  return out;
}

/**
 * What an entry file exports. It may only re-export (`export { a, b as c } from '…'` and
 * `export type { … } from '…'`), so the list is plain to read: any other export statement
 * (`export *`, a declaration) fails here rather than going uncounted.
 */
export function declaredSurface(source: string): Surface {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: Surface = new Map();
  const reexport = /^export (type )?\{([^}]*)\} from '[^']+';$/;
  for (const line of code.split('\n').map((l) => l.trim()).filter((l) => l !== '')) {
    const m = reexport.exec(line);
    if (!m) {
      if (/^export\b/.test(line)) throw new Error(`an entry may only re-export by name, found: ${line}`);
      continue;
    }
    for (const item of m[2]!.split(',').map((s) => s.trim()).filter(Boolean)) {
      const typeOnly = m[1] !== undefined || item.startsWith('type ');
      const name = item.replace(/^type /, '').split(/\s+as\s+/).pop()!;
      out.set(name, typeOnly ? 'type' : 'value');
    }
  }
  return out;
}

/** Lines naming each difference, `expected` being the README's list; empty when they agree. */
export function surfaceDiff(expected: Surface, actual: Surface, what: string): string[] {
  const out: string[] = [];
  for (const [name, kind] of actual) {
    if (!expected.has(name)) out.push(`${what} exports ${kind} ${name}, which README.md's API surface does not list`);
    else if (expected.get(name) !== kind) out.push(`${what} exports ${name} as a ${kind}, README.md says ${expected.get(name)!}`);
  }
  for (const [name, kind] of expected) if (!actual.has(name)) out.push(`README.md lists ${kind} ${name}, which ${what} does not export`);
  return out;
}

/** The values among a surface (what the loaded module's keys must be). */
export function valueNames(s: Surface): string[] {
  return [...s].filter(([, k]) => k === 'value').map(([n]) => n).sort();
}
