/** Nodes: live or lost, last heartbeat, load (jobs running against concurrency, containers placed). */
import type { NodeView } from '../api.js';
import { h, setText } from './dom.js';
import { ago } from './format.js';

export class NodesView {
  private readonly tbody: HTMLTableSectionElement;
  private nodes: NodeView[] = [];

  constructor(root: HTMLElement) {
    this.tbody = h('tbody');
    const head = h('tr', {}, ...['Node', 'Status', 'Last heartbeat', 'Load', 'Containers', 'Runtime'].map((t) => h('th', { text: t })));
    root.append(h('table', { class: 'nodes', id: 'nodes' }, h('thead', {}, head), this.tbody));
  }

  update(nodes: readonly NodeView[]): void {
    this.nodes = [...nodes];
    this.tbody.replaceChildren(
      ...nodes.map((n) =>
        h(
          'tr',
          { 'data-node': n.name },
          h('td', { class: 'name', text: n.name }),
          h('td', {}, h('span', { class: `st ${n.live ? 'st-running' : 'st-unknown'}`, 'data-live': String(n.live), text: n.live ? 'live' : 'lost' })),
          h('td', { class: 'beat', text: ago(n.lastHeartbeat) }),
          h('td', {}, loadBar(n)),
          h('td', { class: 'num', text: n.load.containers }),
          h('td', { class: 'mono', text: `${n.runtime} · v${n.version}` }),
        ),
      ),
    );
  }

  /** Once a second: "2s ago" stays true. */
  tick(now = Date.now()): void {
    this.nodes.forEach((n, i) => {
      const cell = this.tbody.children[i]?.querySelector('td.beat');
      if (cell) setText(cell, ago(n.lastHeartbeat, now));
    });
  }
}

function loadBar(n: NodeView): HTMLElement {
  const pct = n.load.concurrency > 0 ? Math.min(100, Math.round((100 * n.load.active) / n.load.concurrency)) : 0;
  const meter = h('meter', { min: 0, max: Math.max(1, n.load.concurrency), value: n.load.active, title: `${pct}% of concurrency` });
  return h('span', { class: 'load' }, meter, ` ${n.load.active}/${n.load.concurrency} active, ${n.load.waiting} waiting`);
}
