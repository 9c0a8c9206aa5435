/**
 * The page in a real headless Chromium (Debian's, driven by playwright-core) against a real
 * stack: it loads offline, a container started through the client appears and changes state
 * live, clicking Pause pauses it in runc (the in-flight `pausing` state lit on the way), history
 * and time travel show the transitions, and requests without the token are refused.
 * Screenshots go to test/screenshots/; with BERTH_UPDATE_DOCS=1 the main one is copied to
 * docs/inspector.png (the README's picture), so a plain test run leaves the checkout clean.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, screenshotPath, startInspectorStack, type InspectorStack } from './support.js';

describe('inspector: the page in headless Chromium', function () {
  this.timeout(60_000);
  let s: InspectorStack;
  let browser: Browser;
  let page: Page;
  let id = '';
  const requests: string[] = [];
  const problems: string[] = [];

  before(async () => {
    s = await startInspectorStack('inspui');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    // a container that already exists and has a history, next to the one the test drives
    await s.client.create({ name: 'db', rootfs: s.rootfs, command: ['sleep', '1000'] });
    await s.client.start('db');
    await s.client.create({ name: 'job', rootfs: s.rootfs, command: ['sh', '-c', 'exit 3'] });
    await s.client.start('job');
    await s.client.wait('job');
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it('loads offline: every request goes to the inspector, no console errors, the token leaves the URL', async () => {
    await page.goto(`${s.base}/#token=${s.inspector.token}`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#conn[data-state="live"]');
    expect(requests.every((u) => u.startsWith(`${s.base}/`)), requests.join('\n')).to.equal(true);
    expect(page.url()).to.equal(`${s.base}/`);
    expect(await page.$$eval('#containers tbody tr', (rows) => rows.length)).to.equal(2);
    expect(problems).to.deep.equal([]);
  });

  it('a container started through the client appears and changes state live', async () => {
    id = (await s.client.create({ name: 'web', rootfs: s.rootfs, command: ['sleep', '1000'] })).Id;
    await page.waitForSelector('tr[data-name="web"] [data-status="configured"]');
    await s.client.start('web');
    await page.waitForSelector('tr[data-name="web"] [data-status="running"]:not(.busy)');
    expect(await page.textContent('tr[data-name="web"] td.restarts')).to.equal('0');
    expect(await page.textContent('tr[data-name="job"] td.exit')).to.equal('3');
  });

  it('shows the statechart from the machine with the current state lit, and buttons for valid commands', async () => {
    await page.click('tr[data-name="web"]');
    await page.waitForSelector('svg.chart g.state.current[data-state="running"]');
    expect(await page.$$eval('svg.chart g.state', (gs) => gs.length)).to.equal(11); // 10 statuses + "any state"
    expect(await page.$eval('svg.chart g.sub.active', (g) => g.getAttribute('data-state'))).to.equal('running.idle');
    const buttons = await page.$$eval('#actions button', (bs) =>
      (bs as HTMLButtonElement[]).map((b) => ({ command: b.dataset['command'], enabled: !b.disabled, title: b.title })),
    );
    expect(buttons.filter((b) => b.enabled).map((b) => b.command)).to.deep.equal(['stop', 'kill', 'pause', 'restart', 'sync', 'checkpoint', 'mount']);
    expect(buttons.find((b) => b.command === 'unpause')?.title).to.equal(
      'cannot unpause a container in state running (container state improper); unpause is valid in paused',
    );
  });

  it('clicking Pause pauses it in runc, with the in-flight pausing state visible on the way', async () => {
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { inFlight: string[] }).inFlight = seen;
      new MutationObserver(() => {
        for (const g of document.querySelectorAll('svg.chart g.sub.in-flight')) seen.push(g.getAttribute('data-state') ?? '');
      }).observe(document.querySelector('svg.chart')!, { subtree: true, attributes: true, attributeFilter: ['class'] });
    });
    await page.click('#actions button[data-command="pause"]');
    await page.waitForSelector('tr[data-name="web"] [data-status="paused"]:not(.busy)');
    await page.waitForSelector('svg.chart g.state.current[data-state="paused"]');
    expect((await s.runc(id))?.status).to.equal('paused');
    expect(await page.evaluate(() => (window as unknown as { inFlight: string[] }).inFlight)).to.include('running.pausing');
    expect(await page.textContent('#action-message')).to.match(/^pause done: paused \(job [0-9a-f]{64}-\d+\)$/);
    await page.waitForSelector('#actions button[data-command="unpause"]:not([disabled])');
    await page.screenshot({ path: screenshotPath('inspector-paused.png'), fullPage: true });
  });

  it('history lists every transition; selecting one shows the chart as it was then', async () => {
    await page.waitForSelector('#history tbody tr[data-to="paused"]');
    const rows = await page.$$eval('#history tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
    expect(rows.map((r) => r[2])).to.deep.equal(['(new) → configured', 'configured → created', 'created → running', 'running → paused']);
    expect(rows.map((r) => r[3])).to.deep.equal(['create', 'start', 'start', 'pause']);
    for (const r of rows) expect(r[5]).to.equal(s.node);
    await page.click('#history tbody tr[data-to="running"]');
    await page.waitForSelector('#travel-banner:not([hidden])');
    await page.waitForSelector('svg.chart g.state.current[data-state="running"]');
    await page.waitForSelector('svg.chart g.link.taken[data-link="created>running"]');
    expect(await page.textContent('#travel-banner span')).to.match(/^Time travel: transition #3 at .*, created → running by start$/);
    await page.screenshot({ path: screenshotPath('inspector-time-travel.png'), fullPage: true });
    await page.click('#back-to-live');
    await page.waitForSelector('svg.chart g.state.current[data-state="paused"]');
    expect(await page.isHidden('#travel-banner')).to.equal(true);
  });

  it('refuses commands without the right token or from another origin, and nothing changes', async () => {
    await page.fill('#token', 'wrong-token-123');
    await page.dispatchEvent('#token', 'change');
    await page.click('#actions button[data-command="unpause"]');
    await page.waitForSelector('#action-message.error');
    expect(await page.textContent('#action-message')).to.equal('unpause refused (401 EAUTH): the token is wrong or missing');
    const bare = await page.evaluate(async (name) => (await fetch(`/api/containers/${name}/unpause`, { method: 'POST' })).status, 'web');
    expect(bare).to.equal(401);
    // a page of another origin (localhost vs 127.0.0.1) posting a simple, preflight-free request
    const context = await browser.newContext();
    const other = await context.newPage();
    await other.goto(s.base.replace('127.0.0.1', 'localhost') + '/');
    await other.evaluate(async (url) => {
      await fetch(url, { method: 'POST', mode: 'no-cors', body: 'x' }).catch(() => undefined);
    }, `${s.base}/api/containers/web/unpause`);
    await context.close();
    await page.bringToFront(); // a backgrounded page would not paint again before the screenshot
    expect((await s.runc(id))?.status).to.equal('paused');
    expect((await s.client.inspect('web')).State.Status).to.equal('paused');
    await page.fill('#token', s.inspector.token);
    await page.dispatchEvent('#token', 'change');
  });

  it('acts again with the right token; queues and nodes shown; a screenshot is taken', async () => {
    await page.click('#actions button[data-command="unpause"]');
    await page.waitForSelector('tr[data-name="web"] [data-status="running"]:not(.busy)');
    await page.waitForSelector('svg.chart g.state.current[data-state="running"]');
    expect((await s.runc(id))?.status).to.equal('running');
    expect(await page.textContent('#action-message')).to.match(/^unpause done: running/);
    await page.waitForSelector('#history tbody tr:nth-child(5)[data-to="running"]');
    await page.waitForSelector(`#nodes tr[data-node="${s.node}"] [data-live="true"]`);
    // a job the worker refuses (queued around the inspector's own check) shows up failed, with its error
    const { jobId, result } = await s.client.enqueue('db', 'unpause');
    await result().catch(() => undefined);
    const failed = `#queues section[data-node="${s.node}"] .jobs-failed li[data-job="${jobId}"]`;
    await page.waitForSelector(failed);
    expect(await page.textContent(`${failed} .error`)).to.equal('ECTRSTATE: cannot unpause container db in state running: container state improper');
    expect(await page.textContent(`${failed} .who`)).to.equal('db');
    const retried = page.waitForResponse((r) => r.url().endsWith(`/jobs/${jobId}/retry`));
    await page.click(`${failed} button.retry`);
    expect((await retried).status()).to.equal(200);
    const file = screenshotPath('inspector.png');
    await page.screenshot({ path: file, fullPage: true });
    if (process.env['BERTH_UPDATE_DOCS'] === '1') {
      mkdirSync(join(process.cwd(), 'docs'), { recursive: true });
      copyFileSync(file, join(process.cwd(), 'docs', 'inspector.png'));
    }
    const latency = await page.evaluate(() => window.__berth?.metrics.latencyMs ?? []);
    console.log(`      commit -> row updated on the page (ms): ${latency.map((l) => l.toFixed(0)).join(', ')}`);
    expect(problems.filter((p) => !p.includes('401'))).to.deep.equal([]);
  });
});
