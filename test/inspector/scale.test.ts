/**
 * Scale: 1,000 containers in the page. Measures (and logs; timings are not asserted) the first
 * render, a burst of 300 transitions applied row by row, the commit-to-page latency, long tasks
 * on the page's main thread, and filtering. Asserts only that every row and every event arrived.
 */
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, screenshotPath, startInspectorStack, type InspectorStack } from './support.js';

const COUNT = 1000;
const BURST = 300;

function stats(xs: readonly number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  return `median ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms, max ${(s[s.length - 1] ?? 0).toFixed(2)} ms (n=${s.length})`;
}

describe('inspector: 1,000 containers', function () {
  this.timeout(180_000);
  let s: InspectorStack;
  let browser: Browser;
  let page: Page;
  const names = Array.from({ length: COUNT }, (_, i) => `c-${String(i).padStart(4, '0')}`);

  before(async () => {
    s = await startInspectorStack('inspscale', { concurrency: 16 });
    for (let i = 0; i < COUNT; i += 100) {
      await Promise.all(names.slice(i, i + 100).map((name) => s.client.create({ name, rootfs: s.rootfs, command: ['sleep', '1000'] })));
    }
    await Promise.all(names.slice(0, 10).map((n) => s.client.start(n)));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it('renders 1,000 rows and applies a burst of transitions row by row', async () => {
    const t0 = Date.now();
    await page.goto(`${s.base}/#token=${s.inspector.token}`);
    await page.waitForSelector('body[data-ready="true"]');
    const loadMs = Date.now() - t0;
    const first = await page.evaluate(() => window.__berth!.metrics);
    expect(first.rows).to.equal(COUNT + 0);
    expect(await page.$$eval('#containers tbody tr', (rows) => rows.length)).to.equal(COUNT);
    await page.waitForSelector('#conn[data-state="live"]');
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push(e.duration);
      }).observe({ type: 'longtask' });
    });
    const before = first.events;
    const targets = names.slice(COUNT - BURST);
    await Promise.all(targets.map((n) => s.client.enqueue(n, 'cleanup').then((q) => q.result())));
    await page.waitForFunction((n) => (window.__berth?.metrics.events ?? 0) >= n, before + BURST);
    const m = await page.evaluate(() => window.__berth!.metrics);
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    const updates = m.updateMs.slice(-BURST);
    const latency = m.latencyMs.slice(-BURST);
    const filterMs = await page.evaluate(async () => {
      const input = document.querySelector<HTMLInputElement>('#filter')!;
      const start = performance.now();
      input.value = 'c-09';
      input.dispatchEvent(new Event('input'));
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      return performance.now() - start;
    });
    expect(await page.textContent('#container-count')).to.equal(`100 of ${COUNT} containers`);
    await page.fill('#filter', '');
    await page.dispatchEvent('#filter', 'input');
    await page.click('tr[data-name="c-0001"]');
    await page.waitForSelector('svg.chart g.state.current[data-state="running"]');
    await page.screenshot({ path: screenshotPath('inspector-1000.png') });
    const lines = [
      `page load to ready: ${loadMs} ms from goto, ${m.readyAt.toFixed(0)} ms from navigation start (API reads ${m.fetchMs.toFixed(0)} ms); first render of ${m.rows} rows (build + next frame): ${m.initialRenderMs.toFixed(1)} ms`,
      `applying one transition to the page: ${stats(updates)}`,
      `commit -> row updated on the page: ${stats(latency)}`,
      `long tasks (> 50 ms) during the burst of ${BURST}: ${longTasks.length}${longTasks.length ? ` (max ${Math.max(...longTasks).toFixed(0)} ms)` : ''}`,
      `filtering 1,000 rows (input + next frame): ${filterMs.toFixed(1)} ms`,
    ];
    for (const l of lines) console.log(`      ${l}`);
    expect(m.events - before).to.be.at.least(BURST);
  });
});
