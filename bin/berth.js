#!/usr/bin/env node
// `berth`: runs the built CLI (dist/) when there is one, else the TypeScript source through tsx,
// so `npx berth` works without a build. BERTH_FROM_SOURCE=1 forces the source (tests do).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/cli/main.js', import.meta.url);
let cli;
if (process.env.BERTH_FROM_SOURCE !== '1' && existsSync(fileURLToPath(dist))) {
  cli = await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
cli.exitQuietlyOnEpipe();
process.exit(await cli.main(process.argv));
