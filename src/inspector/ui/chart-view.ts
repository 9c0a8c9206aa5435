/**
 * The statechart as inline SVG, drawn once from the layout; afterwards only classes change:
 * the current status box and its active child (pulsing while a call is in flight), the edges
 * that leave it, and in time travel the edge that was taken.
 */
import type { Chart } from '../chart.js';
import { svg } from './dom.js';
import { ANY, layoutChart, type Box } from './chart-layout.js';

export interface Taken {
  from: string;
  to: string;
  command: string;
}

const MARKERS = ['edge', 'next', 'taken'] as const;

export class ChartView {
  readonly el: SVGSVGElement;
  private readonly groups = new Map<string, SVGGElement>();
  private readonly links = new Map<string, SVGGElement>();
  private readonly labels = new Map<string, SVGTextElement>();
  private readonly linkLayer: SVGGElement;
  private lit: Element[] = [];

  constructor(private readonly chart: Chart) {
    const layout = layoutChart(chart);
    this.el = svg('svg', {
      class: 'chart',
      viewBox: `0 0 ${layout.width} ${layout.height}`,
      role: 'img',
      'aria-label': `statechart of the ${chart.machine} machine, version ${chart.version}`,
    });
    const defs = svg('defs');
    for (const m of MARKERS) {
      defs.append(
        svg(
          'marker',
          { id: `arrow-${m}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
          svg('path', { d: 'M0,0 L10,5 L0,10 z', class: `arrowhead arrowhead-${m}` }),
        ),
      );
    }
    this.linkLayer = svg('g', { class: 'links' });
    // labels above the boxes, so a long one stays readable where it crosses a state
    const labelLayer = svg('g', { class: 'edge-labels' });
    for (const l of layout.links) {
      const title = `${l.source === ANY ? 'any state' : l.source} → ${l.target}: ${l.labels.join(', ')}`;
      const g = svg(
        'g',
        { class: `link${l.fromAny ? ' from-any' : ''}`, 'data-link': l.key },
        svg('path', { d: l.d, class: 'edge', 'marker-end': 'url(#arrow-edge)' }, svg('title', {}, title)),
      );
      const label = svg('text', { x: l.mid.x, y: l.mid.y - 4, class: 'edge-label', 'text-anchor': l.anchor, 'data-link': l.key }, shortLabel(l.labels));
      this.links.set(l.key, g);
      this.labels.set(l.key, label);
      this.linkLayer.append(g);
      labelLayer.append(label);
    }
    const boxLayer = svg('g', { class: 'states' });
    for (const b of layout.boxes.filter((x) => x.parent === null)) {
      const g = this.box(b, 'state');
      for (const c of layout.boxes.filter((x) => x.parent === b.id)) g.append(this.box(c, 'sub'));
      boxLayer.append(g);
    }
    this.el.append(defs, this.linkLayer, boxLayer, labelLayer);
  }

  private box(b: Box, kind: 'state' | 'sub'): SVGGElement {
    const status = (b.parent ?? b.id).split('.')[0] ?? b.id;
    const classes = [kind, b.id === ANY ? 'any' : `st-${status}`, b.transient ? 'transient' : '', b.final ? 'final' : ''];
    const g = svg('g', { class: classes.filter(Boolean).join(' '), 'data-state': b.id });
    const tip = b.note ? `${b.id === ANY ? 'any state' : b.id} — ${b.note}` : b.id === ANY ? 'transitions valid in any state' : b.id;
    g.append(svg('title', {}, tip), svg('rect', { x: b.x, y: b.y, width: b.w, height: b.h, rx: kind === 'sub' ? 10 : 8, class: 'box' }));
    if (b.final) g.append(svg('rect', { x: b.x + 3, y: b.y + 3, width: b.w - 6, height: b.h - 6, rx: 6, class: 'box inner' }));
    const ty = kind === 'sub' || b.h <= 30 ? b.y + b.h / 2 + 4 : b.y + 17;
    g.append(svg('text', { x: b.x + b.w / 2, y: ty, 'text-anchor': 'middle', class: 'label' }, b.label));
    this.groups.set(b.id, g);
    return g;
  }

  /** Highlights `path` ("running", "running.pausing"); `taken` marks a past transition (time travel). */
  show(path: string, taken?: Taken): void {
    for (const el of this.lit) el.classList.remove('current', 'active', 'in-flight', 'next', 'taken', 'was');
    this.lit = [];
    const mark = (el: Element | undefined, ...cls: string[]) => {
      if (!el) return;
      el.classList.add(...cls);
      this.lit.push(el);
    };
    const [status = path, child] = path.split('.');
    const node = this.chart.nodes.find((n) => n.id === status);
    const activeChild = child ? `${status}.${child}` : node?.initial ? `${status}.${node.initial}` : undefined;
    // resting in a status is its idle child; any other child is a call, a timer or an exit awaited
    const inFlight = child !== undefined && child !== 'idle';
    mark(this.groups.get(status), 'current');
    if (activeChild) mark(this.groups.get(activeChild), ...(inFlight ? ['active', 'in-flight'] : ['active']));
    for (const [key, g] of this.links) {
      if (key.startsWith(`${status}>`) && !taken) {
        mark(g, 'next');
        mark(this.labels.get(key), 'next');
        this.linkLayer.append(g);
      }
    }
    if (taken) {
      mark(this.groups.get(taken.from), 'was');
      const g = this.links.get(`${taken.from}>${taken.to}`);
      if (g) {
        mark(g, 'taken');
        mark(this.labels.get(`${taken.from}>${taken.to}`), 'taken');
        this.linkLayer.append(g);
      }
    }
    for (const g of this.lit) {
      if (!g.classList.contains('link') || g.tagName !== 'g') continue;
      const path = g.querySelector('path.edge');
      const kind = g.classList.contains('taken') ? 'taken' : 'next';
      path?.setAttribute('marker-end', `url(#arrow-${kind})`);
    }
    for (const g of this.links.values()) {
      if (!this.lit.includes(g)) g.querySelector('path.edge')?.setAttribute('marker-end', 'url(#arrow-edge)');
    }
  }
}

/** A short visible label: the commands first, the rest counted. */
function shortLabel(labels: readonly string[]): string {
  const plain = labels.map((l) => l.replace(/ \[.*\]$/, ''));
  const shown = plain.slice(0, 2).join(', ');
  return plain.length > 2 ? `${shown} +${plain.length - 2}` : shown;
}
