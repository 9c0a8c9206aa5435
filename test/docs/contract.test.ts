/** The README's job contract table is the one the command table generates. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { contractTable } from '../../src/queue/contract.js';

describe('README: the job contract table', () => {
  it('is generated from the command table (run `npm run docs` when this fails)', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const block = /<!-- contract:start -->\n([\s\S]*?)<!-- contract:end -->/.exec(readme)?.[1];
    expect(block, 'a table between the contract markers').to.be.a('string');
    expect(block!.trimEnd()).to.equal(contractTable());
  });
});
