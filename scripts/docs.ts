/**
 * `npm run docs`: rewrites the README's generated blocks from the code they describe: the
 * statechart (between the graph markers, `berth graph`) and the job contract's command table
 * (between the contract markers, from the command table). test/docs checks both are current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mermaidOf } from '../src/cli/graph.js';
import { containerMachine } from '../src/machines/index.js';
import { contractTable } from '../src/queue/contract.js';

const path = fileURLToPath(new URL('../README.md', import.meta.url));
let readme = readFileSync(path, 'utf8');
const blocks: [RegExp, string][] = [
  [/(<!-- graph:start -->[\s\S]*?```mermaid\n)[\s\S]*?(```[\s\S]*?<!-- graph:end -->)/, `${mermaidOf(containerMachine)}\n`],
  [/(<!-- contract:start -->\n)[\s\S]*?(<!-- contract:end -->)/, `${contractTable()}\n`],
];
for (const [marker, text] of blocks) {
  if (!marker.test(readme)) throw new Error(`README.md has no ${marker.source.slice(5, 19)} block`);
  readme = readme.replace(marker, (_m, open: string, close: string) => `${open}${text}${close}`);
}
writeFileSync(path, readme);
console.log('README.md: statechart and job contract table rewritten');
