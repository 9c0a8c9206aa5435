#!/usr/bin/env node
// `berth`: runs the compiled CLI (dist/), which an installed package always has (`npm pack` builds
// it) and needs only the production dependencies. In a checkout without a build it falls back to
// the TypeScript source through tsx (a dev dependency), so `npx berth` works there too;
// BERTH_FROM_SOURCE=1 forces the source (tests do).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/cli/main.js', import.meta.url);
const source = new URL('../src/cli/main.ts', import.meta.url);
let cli;
if (process.env.BERTH_FROM_SOURCE !== '1' && existsSync(fileURLToPath(dist))) {
  cli = await import(dist.href);
} else if (existsSync(fileURLToPath(source))) {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('Error: berth is not built and tsx is not installed to run it from source: run `npm run build` (or `npm ci`) in the checkout\n');
    process.exit(125);
  }
  register();
  cli = await import(source.href);
} else {
  process.stderr.write(`Error: berth is not built: ${fileURLToPath(dist)} is missing (a package made without \`npm pack\`?)\n`);
  process.exit(125);
}
cli.exitQuietlyOnEpipe();
process.exit(await cli.main(process.argv));
