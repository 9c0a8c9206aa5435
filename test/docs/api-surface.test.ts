/**
 * The package's public surface is what README.md lists: the entry's re-exports (src/index.ts, which
 * dist/index.d.ts repeats) and the keys of the loaded entry, against the README's "API surface"
 * table. An export added or removed without its README line fails here, naming it.
 * (test/deploy/package.test.ts checks the same of the built, installed package.)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { declaredSurface, readmeSurface, surfaceDiff, valueNames } from '../helpers/api-surface.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe("README: the package's API surface", () => {
  it('lists exactly what src/index.ts exports, values and types', () => {
    const readme = readmeSurface(readFileSync(`${root}README.md`, 'utf8'));
    const declared = declaredSurface(readFileSync(`${root}src/index.ts`, 'utf8'));
    expect(surfaceDiff(readme, declared, 'src/index.ts')).to.deep.equal([]);
  });

  it("lists exactly the loaded entry's keys as its values", async () => {
    const readme = readmeSurface(readFileSync(`${root}README.md`, 'utf8'));
    const api = (await import('../../src/index.js')) as Record<string, unknown>;
    expect(Object.keys(api).sort()).to.deep.equal(valueNames(readme));
  });

  it('the check itself: reads re-exports, refuses other exports, and names each difference', () => {
    const s = declaredSurface("/** doc: export { no } */\nexport { A, B as C } from './a.js';\nexport type { T } from './t.js';\nexport { type U, V } from './u.js';\n");
    expect([...s]).to.deep.equal([
      ['A', 'value'],
      ['C', 'value'],
      ['T', 'type'],
      ['U', 'type'],
      ['V', 'value'],
    ]);
    expect(() => declaredSurface("export * from './x.js';")).to.throw(/only re-export by name/);
    expect(() => declaredSurface('export const x = 1;')).to.throw(/only re-export by name/);
    const readme = readmeSurface('<!-- api-surface:start -->\n| `A` | value | a |\n| `T` | value | t |\n| `Z` | type | z |\n<!-- api-surface:end -->');
    expect(surfaceDiff(readme, s, 'entry')).to.deep.equal([
      'entry exports value C, which README.md\'s API surface does not list',
      'entry exports T as a type, README.md says value',
      'entry exports type U, which README.md\'s API surface does not list',
      'entry exports value V, which README.md\'s API surface does not list',
      'README.md lists type Z, which entry does not export',
    ]);
    expect(() => readmeSurface('no block')).to.throw(/no <!-- api-surface:start -->/);
  });
});
