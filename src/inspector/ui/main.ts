/**
 * The inspector page: loads the chart and the containers, then follows /api/events (SSE) from
 * the cursor the list was read at, so no transition falls between the two; a reconnecting
 * EventSource resumes by Last-Event-ID. Timings are kept in `window.__berth` for the tests.
 */
import type { Inspect } from '../../actors/inspect.js';
import type { TransitionEvent } from '../../store/events.js';
import type { NodeView } from '../api.js';
import type { QueueView } from '../queues.js';
import { api, getToken, setToken, takeTokenFromUrl } from './client.js';
import { ContainersView, STATUSES } from './containers-view.js';
import { DetailView } from './detail-view.js';
import { byId, h, setText } from './dom.js';
import { shortId } from './format.js';
import { NodesView } from './nodes-view.js';
import { QueuesView } from './queues-view.js';

export interface PageMetrics {
  rows: number;
  /** Fetching the chart, containers, nodes and queues. */
  fetchMs: number;
  /** From navigation start to the page ready (performance.now() at ready). */
  readyAt: number;
  /** Building the table and the next frame, first load. */
  initialRenderMs: number;
  /** Applying each transition to the page (synchronous DOM work). */
  updateMs: number[];
  /** From the commit (`at`) to the row updated on the page. */
  latencyMs: number[];
  events: number;
}

declare global {
  interface Window {
    __berth?: { metrics: PageMetrics; ready: boolean };
  }
}

const metrics: PageMetrics = { rows: 0, fetchMs: 0, readyAt: 0, initialRenderMs: 0, updateMs: [], latencyMs: [], events: 0 };
const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));

function connection(state: 'connecting' | 'live' | 'reconnecting', text: string): void {
  const el = byId('conn');
  el.dataset['state'] = state;
  setText(el, text);
}

function wireToken(): void {
  const input = byId<HTMLInputElement>('token');
  input.value = getToken();
  input.addEventListener('change', () => setToken(input.value.trim()));
}

async function boot(): Promise<void> {
  takeTokenFromUrl();
  wireToken();
  window.__berth = { metrics, ready: false };
  const fetched = performance.now();
  const [chart, list, nodes, queues] = await Promise.all([api.chart(), api.containers(), api.nodes(), api.queues()]);
  metrics.fetchMs = performance.now() - fetched;
  const detail = new DetailView(byId('detail-panel'), chart);
  const containers = new ContainersView(byId('containers-panel'), (c) => {
    containers.select(c.Id);
    void detail.open(containers.get(c.Id) ?? c);
  });
  const queuesView = new QueuesView(byId('queues-panel'), (id) => containers.get(id)?.Name ?? (/^[0-9a-f]{64}$/.test(id) ? shortId(id) : id));
  const nodesView = new NodesView(byId('nodes-panel'));
  const t0 = performance.now();
  containers.setAll(list.containers);
  await nextFrame();
  metrics.initialRenderMs = performance.now() - t0;
  metrics.rows = containers.size;
  nodesView.update(nodes.nodes);
  queuesView.setAll(queues.queues);

  const summary = () => {
    const counts = new Map<string, number>();
    for (const c of containers.all()) counts.set(c.State.Status, (counts.get(c.State.Status) ?? 0) + 1);
    const el = byId('summary');
    el.replaceChildren(...STATUSES.filter((s) => counts.get(s)).map((s) => h('span', { class: `st st-${s}`, text: `${counts.get(s)} ${s}` })));
  };

  let summaryDue: ReturnType<typeof setTimeout> | undefined;
  const summarySoon = () => {
    summaryDue ??= setTimeout(() => {
      summaryDue = undefined;
      summary();
    }, 100);
  };

  const follow = (cursor: string) => {
    connection('connecting', 'connecting…');
    const es = new EventSource(`/api/events?since=${encodeURIComponent(cursor)}`);
    es.addEventListener('open', () => connection('live', 'live'));
    es.addEventListener('error', () => connection('reconnecting', 'reconnecting…'));
    es.addEventListener('transition', (m: MessageEvent<string>) => {
      const start = performance.now();
      const e = JSON.parse(m.data) as TransitionEvent;
      const c = e.state as unknown as Inspect;
      metrics.events++;
      if (containers.upsert(c)) {
        detail.update(c, e);
        summarySoon();
      }
      metrics.updateMs.push(performance.now() - start);
      metrics.latencyMs.push(Date.now() - Date.parse(e.at));
    });
    es.addEventListener('nodes', (m: MessageEvent<string>) => nodesView.update(JSON.parse(m.data) as NodeView[]));
    es.addEventListener('queues', (m: MessageEvent<string>) => queuesView.update(JSON.parse(m.data) as QueueView));
    es.addEventListener('reset', () => {
      es.close();
      void api.containers().then((fresh) => {
        containers.setAll(fresh.containers);
        follow(fresh.cursor);
      });
    });
  };
  follow(list.cursor);
  summary();
  setInterval(() => {
    containers.tick();
    nodesView.tick();
  }, 1000);
  metrics.readyAt = performance.now();
  window.__berth.ready = true;
  document.body.dataset['ready'] = 'true';
}

boot().catch((err: unknown) => {
  connection('reconnecting', 'failed to load');
  document.body.append(h('pre', { class: 'fatal', text: err instanceof Error ? err.message : String(err) }));
});
