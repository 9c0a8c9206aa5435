/**
 * Build step: bundles the page into <outDir> (index.html, app.js, app.css) so a built Berth
 * serves it without esbuild. Usage: tsx src/inspector/build-ui.ts dist/inspector/ui
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleUi } from './assets.js';

export async function buildUi(outDir: string): Promise<void> {
  const ui = await bundleUi();
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'index.html'), ui.html);
  await writeFile(join(outDir, 'app.js'), ui.js);
  await writeFile(join(outDir, 'app.css'), ui.css);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2] ?? 'dist/inspector/ui';
  await buildUi(out);
  process.stdout.write(`inspector page written to ${out}\n`);
}
