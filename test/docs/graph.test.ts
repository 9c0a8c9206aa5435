/** The README's statechart is the one `berth graph` generates from the machine definition. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { mermaidOf } from '../../src/cli/graph.js';
import { containerMachine } from '../../src/machines/index.js';

describe('README: the statechart diagram', () => {
  it('is the current output of `berth graph` (run `npm run graph` and paste it when this fails)', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const block = /<!-- graph:start -->[\s\S]*?```mermaid\n([\s\S]*?)```[\s\S]*?<!-- graph:end -->/.exec(readme)?.[1];
    expect(block, 'a mermaid block between the graph markers').to.be.a('string');
    expect(block!.trimEnd()).to.equal(mermaidOf(containerMachine).trimEnd());
  });
});
