/**
 * The page is one HTML file, one script and one stylesheet, bundled offline; a build writes them
 * next to the compiled server and the server then serves that bundle without esbuild.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { bundleUi, loadUi } from '../../src/inspector/assets.js';
import { buildUi } from '../../src/inspector/build-ui.js';

describe('inspector: page assets', function () {
  this.timeout(30_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-ui-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('bundles the page from its sources, fetching nothing from elsewhere', async () => {
    const ui = await bundleUi();
    expect(ui.html).to.contain('<link rel="stylesheet" href="/app.css">').and.contain('<script src="/app.js" defer></script>');
    expect(ui.js).to.contain('/api/events');
    expect(ui.js).to.not.match(/\bimport\s*\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(ui.css).to.contain('.st-running').and.not.match(/@import|url\(/);
  });

  it('a build writes the bundle; loading from there needs no bundler', async () => {
    await buildUi(dir);
    const built = await loadUi(dir);
    const fresh = await bundleUi();
    expect(built).to.deep.equal(fresh);
  });
});
