/**
 * A simple layered layout of the chart, pure (no DOM): top-level states (the statuses) are boxes
 * in columns by their distance from the initial state, ordered to cut crossings (barycentre
 * sweeps); each box lists its children (the in-flight calls) as pills. Transitions are lifted to
 * the boxes they join and merged, one curve per pair, labelled with every event that takes it.
 * Transitions of the machine itself come from an "any state" pseudo-box.
 */
import type { Chart } from '../chart.js';

export const ANY = '*';
const W = 156;
const ANY_W = 104;
const HEADER = 26;
const PILL = 20;
const PILL_GAP = 5;
const GAP_X = 112;
const GAP_Y = 28;
const MARGIN = 16;

export interface Box {
  id: string;
  label: string;
  parent: string | null;
  x: number;
  y: number;
  w: number;
  h: number;
  transient: boolean;
  final: boolean;
  /** Tooltip: the invoked call or the delay. */
  note: string;
}

export interface Link {
  key: string;
  source: string;
  target: string;
  /** Short labels of every transition merged here ("pause", "ociPause done"). */
  labels: string[];
  commands: string[];
  d: string;
  mid: { x: number; y: number };
  /** Where the label hangs from `mid`: beside an arc that loops out of a column, centred otherwise. */
  anchor: 'middle' | 'start';
  fromAny: boolean;
}

export interface Layout {
  width: number;
  height: number;
  boxes: Box[];
  links: Link[];
}

const topOf = (id: string) => (id === ANY ? ANY : (id.split('.')[0] ?? id));

function liftEdges(chart: Chart): Map<string, { source: string; target: string; labels: string[]; commands: string[] }> {
  const lifted = new Map<string, { source: string; target: string; labels: string[]; commands: string[] }>();
  for (const e of chart.edges) {
    const source = topOf(e.source);
    const target = topOf(e.target);
    if (source === target) continue;
    const key = `${source}>${target}`;
    const l = lifted.get(key) ?? { source, target, labels: [], commands: [] };
    const label = e.guard ? `${e.label} [${e.guard}]` : e.label;
    if (!l.labels.includes(label)) l.labels.push(label);
    if (e.command && !l.commands.includes(e.command)) l.commands.push(e.command);
    lifted.set(key, l);
  }
  return lifted;
}

function columnsOf(tops: string[], initial: string, links: { source: string; target: string }[]): string[][] {
  const depth = new Map<string, number>([
    [topOf(initial), 0],
    [ANY, 0],
  ]);
  const queue = [topOf(initial), ANY];
  while (queue.length) {
    const at = queue.shift()!;
    for (const l of links) {
      if (l.source === at && !depth.has(l.target)) {
        depth.set(l.target, (depth.get(at) ?? 0) + 1);
        queue.push(l.target);
      }
    }
  }
  const max = Math.max(0, ...depth.values());
  const cols: string[][] = [];
  for (const id of [...tops, ANY]) {
    const d = depth.get(id) ?? max + 1;
    (cols[d] ??= []).push(id);
  }
  const filled = cols.filter((c) => c !== undefined);
  // barycentre sweeps: order each column by the mean position of its neighbours
  const position = () => new Map(filled.flatMap((c) => c.map((id, i) => [id, i / Math.max(1, c.length - 1)] as const)));
  for (let sweep = 0; sweep < 4; sweep++) {
    for (const col of filled) {
      const pos = position();
      const bary = (id: string) => {
        const ns = links.flatMap((l) => (l.source === id ? [l.target] : l.target === id ? [l.source] : [])).filter((n) => !col.includes(n));
        return ns.length ? ns.reduce((s, n) => s + (pos.get(n) ?? 0), 0) / ns.length : (pos.get(id) ?? 0);
      };
      const keyed = col.map((id) => [id, id === ANY ? 2 : bary(id)] as const);
      keyed.sort((a, b) => a[1] - b[1]);
      col.splice(0, col.length, ...keyed.map(([id]) => id));
    }
  }
  return filled;
}

export function layoutChart(chart: Chart): Layout {
  const tops = chart.nodes.filter((n) => n.parent === null);
  const childrenOf = (id: string) => chart.nodes.filter((n) => n.parent === id);
  const lifted = [...liftEdges(chart).values()];
  const cols = columnsOf(
    tops.map((t) => t.id),
    chart.initial,
    lifted,
  );
  const heightOf = (id: string) => {
    if (id === ANY) return 26;
    const n = childrenOf(id).length;
    return n === 0 ? 30 : HEADER + n * (PILL + PILL_GAP) + 4;
  };
  const colHeights = cols.map((c) => c.reduce((s, id) => s + heightOf(id), 0) + GAP_Y * (c.length - 1));
  const tallest = Math.max(...colHeights);
  const boxes: Box[] = [];
  const at = new Map<string, { box: Box; col: number }>();
  cols.forEach((col, ci) => {
    let y = MARGIN + (tallest - (colHeights[ci] ?? 0)) / 2;
    for (const id of col) {
      const node = tops.find((t) => t.id === id);
      const w = id === ANY ? ANY_W : W;
      const x = MARGIN + ci * (W + GAP_X) + (W - w) / 2;
      const box: Box = {
        id,
        label: id === ANY ? 'any state' : (node?.key ?? id),
        parent: null,
        x,
        y,
        w,
        h: heightOf(id),
        transient: node?.transient ?? false,
        final: node?.kind === 'final',
        note: node?.invoke ?? node?.after ?? '',
      };
      boxes.push(box);
      at.set(id, { box, col: ci });
      childrenOf(id).forEach((c, i) => {
        boxes.push({
          id: c.id,
          label: c.key,
          parent: id,
          x: x + 10,
          y: y + HEADER + i * (PILL + PILL_GAP),
          w: w - 20,
          h: PILL,
          transient: c.transient,
          final: c.kind === 'final',
          note: c.invoke ? `invokes ${c.invoke}` : c.after ? `after ${c.after}` : '',
        });
      });
      y += box.h + GAP_Y;
    }
  });
  return { width: MARGIN * 2 + cols.length * W + (cols.length - 1) * GAP_X + 40, height: tallest + MARGIN * 2, boxes, links: route(lifted, at) };
}

type Side = 'left' | 'right';

function route(
  lifted: { source: string; target: string; labels: string[]; commands: string[] }[],
  at: Map<string, { box: Box; col: number }>,
): Link[] {
  const plans = lifted.flatMap((l) => {
    const s = at.get(l.source);
    const t = at.get(l.target);
    if (!s || !t) return [];
    const sSide: Side = s.col > t.col ? 'left' : 'right';
    const tSide: Side = s.col < t.col ? 'left' : 'right';
    return [{ l, s, t, sSide, tSide }];
  });
  // spread the anchors on each side of a box, ordered by where the other end is
  const slots = new Map<string, { plan: number; end: 's' | 't'; otherY: number }[]>();
  plans.forEach((p, i) => {
    const add = (box: Box, side: Side, end: 's' | 't', other: Box) => {
      const k = `${box.id}:${side}`;
      slots.set(k, [...(slots.get(k) ?? []), { plan: i, end, otherY: other.y + other.h / 2 }]);
    };
    add(p.s.box, p.sSide, 's', p.t.box);
    add(p.t.box, p.tSide, 't', p.s.box);
  });
  const anchor = new Map<string, number>();
  for (const [k, list] of slots) {
    const box = at.get(k.slice(0, k.lastIndexOf(':')))!.box;
    list.sort((a, b) => a.otherY - b.otherY);
    list.forEach((e, i) => anchor.set(`${e.plan}:${e.end}`, box.y + ((i + 1) * box.h) / (list.length + 1)));
  }
  return plans.map((p, i) => {
    const x1 = p.sSide === 'right' ? p.s.box.x + p.s.box.w : p.s.box.x;
    const x2 = p.tSide === 'right' ? p.t.box.x + p.t.box.w : p.t.box.x;
    const y1 = anchor.get(`${i}:s`) ?? p.s.box.y;
    const y2 = anchor.get(`${i}:t`) ?? p.t.box.y;
    const same = p.s.col === p.t.col;
    const dx = same ? 46 : Math.max(30, Math.abs(x2 - x1) / 2);
    const c1x = p.sSide === 'right' ? x1 + dx : x1 - dx;
    const c2x = p.tSide === 'right' ? x2 + dx : x2 - dx;
    const r = (n: number) => Math.round(n * 10) / 10;
    return {
      key: `${p.l.source}>${p.l.target}`,
      source: p.l.source,
      target: p.l.target,
      labels: p.l.labels,
      commands: p.l.commands,
      d: `M${r(x1)},${r(y1)} C${r(c1x)},${r(y1)} ${r(c2x)},${r(y2)} ${r(x2)},${r(y2)}`,
      mid: { x: r((x1 + 3 * c1x + 3 * c2x + x2) / 8 + (same ? 3 : 0)), y: r((y1 + 3 * y1 + 3 * y2 + y2) / 8) },
      anchor: same ? 'start' : 'middle',
      fromAny: p.l.source === ANY,
    };
  });
}
