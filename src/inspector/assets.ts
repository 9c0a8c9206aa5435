/**
 * The page's assets: index.html, one script and one stylesheet, all served from this process, no
 * network at runtime. A build (`build-ui.ts`) writes the bundle next to the compiled server
 * (dist/inspector/ui); from source, the bundle is made at start with esbuild's JS API.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BerthError } from '../errors.js';

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

export interface UiBundle {
  html: string;
  js: string;
  css: string;
}

export const UI_DIR = fileURLToPath(new URL('./ui/', import.meta.url));

function asset(text: string, type: string): Asset {
  const body = Buffer.from(text);
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/** Bundles src/inspector/ui with esbuild (a build-time tool: imported only when needed). */
export async function bundleUi(dir: string = UI_DIR): Promise<UiBundle> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (err) {
    throw new BerthError('EINTERNAL', 'the inspector page is not built and esbuild is not installed to build it', { cause: err });
  }
  const result = await esbuild.build({
    entryPoints: [join(dir, 'main.ts'), join(dir, 'app.css')],
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const out = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
  return { html: await readFile(join(dir, 'index.html'), 'utf8'), js: out('.js'), css: out('.css') };
}

/** The prebuilt bundle when there is one (dist), else a fresh one from the sources. */
export async function loadUi(dir: string = UI_DIR): Promise<UiBundle> {
  if (existsSync(join(dir, 'app.js')) && existsSync(join(dir, 'app.css'))) {
    const [html, js, css] = await Promise.all(['index.html', 'app.js', 'app.css'].map((f) => readFile(join(dir, f), 'utf8')));
    return { html: html ?? '', js: js ?? '', css: css ?? '' };
  }
  return bundleUi(dir);
}

/** URL path -> asset. */
export async function loadAssets(dir?: string): Promise<Map<string, Asset>> {
  const ui = await loadUi(dir);
  return new Map([
    ['/', asset(ui.html, 'text/html; charset=utf-8')],
    ['/app.js', asset(ui.js, 'text/javascript; charset=utf-8')],
    ['/app.css', asset(ui.css, 'text/css; charset=utf-8')],
    ['/favicon.svg', asset(FAVICON, 'image/svg+xml')],
  ]);
}

const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f6feb"/>' +
  '<path d="M3 11h10M5 11V6h6v5" stroke="#fff" stroke-width="1.6" fill="none"/></svg>';
