/**
 * The SVG bar chart of one run (bench/results/latest.svg), drawn here: no network, no library.
 */
import type { Results } from './report.js';
import { SYSTEM_LABELS, SYSTEMS, type System } from './throughput.js';
import { COMMANDS, RAW_CALLS } from './latency.js';

const COLORS: Record<string, string> = {
  berth: '#2563eb',
  runc: '#9ca3af',
  conmon: '#4b5563',
  'podman-cli': '#f59e0b',
  'podman-api': '#dc2626',
  'docker-cli': '#14b8a6',
  'docker-api': '#0f766e',
  podman: '#dc2626',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Group {
  label: string;
  bars: { key: string; value: number }[];
}

/** One grouped bar chart inside a box at (x, y). */
function barPanel(x: number, y: number, w: number, h: number, title: string, unit: string, groups: Group[], legend: { key: string; label: string }[]): string {
  const parts: string[] = [];
  const top = y + 48;
  const bottom = y + h - 28;
  const left = x + 48;
  const right = x + w - 10;
  const values = groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v) => Number.isFinite(v));
  const max = niceMax(Math.max(1, ...values));
  const scale = (v: number) => ((bottom - top) * v) / max;
  parts.push(`<text x="${x + 8}" y="${y + 18}" font-size="15" font-weight="600">${esc(title)}</text>`);
  let lx = x + 8;
  for (const l of legend) {
    parts.push(`<rect x="${lx}" y="${y + 27}" width="10" height="10" fill="${COLORS[l.key] ?? '#000'}"/>`);
    parts.push(`<text x="${lx + 14}" y="${y + 36}" font-size="11">${esc(l.label)}</text>`);
    lx += 22 + l.label.length * 6.2;
  }
  const ticks = [4, 5, 3, 6].find((n) => [1, 2, 2.5, 5].some((m) => Math.abs(max / n / 10 ** Math.floor(Math.log10(max / n)) - m) < 1e-9)) ?? 4;
  for (let i = 0; i <= ticks; i++) {
    const v = (max * i) / ticks;
    const yy = bottom - scale(v);
    parts.push(`<line x1="${left}" x2="${right}" y1="${yy.toFixed(1)}" y2="${yy.toFixed(1)}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${left - 4}" y="${(yy + 4).toFixed(1)}" font-size="10" text-anchor="end" fill="#6b7280">${fmt(v)}</text>`);
  }
  parts.push(`<text x="${x + 10}" y="${(top + bottom) / 2}" font-size="10" fill="#6b7280" transform="rotate(-90 ${x + 10} ${(top + bottom) / 2})" text-anchor="middle">${esc(unit)}</text>`);
  const gw = (right - left) / groups.length;
  groups.forEach((g, gi) => {
    const n = g.bars.length;
    const bw = Math.min(28, (gw * 0.8) / n);
    const gx = left + gi * gw + (gw - bw * n) / 2;
    g.bars.forEach((b, bi) => {
      const bx = gx + bi * bw;
      if (!Number.isFinite(b.value)) return;
      const bh = scale(b.value);
      parts.push(`<rect x="${bx.toFixed(1)}" y="${(bottom - bh).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="${COLORS[b.key] ?? '#000'}"><title>${esc(`${g.label} ${b.key}: ${b.value}`)}</title></rect>`);
      parts.push(`<text x="${(bx + (bw - 2) / 2).toFixed(1)}" y="${(bottom - bh - 3).toFixed(1)}" font-size="9" text-anchor="middle">${fmt(b.value)}</text>`);
    });
    parts.push(`<text x="${(left + gi * gw + gw / 2).toFixed(1)}" y="${bottom + 16}" font-size="11" text-anchor="middle">${esc(g.label)}</text>`);
  });
  parts.push(`<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#6b7280"/>`);
  return parts.join('\n');
}

function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1).replace(/\.0$/, '') : v.toFixed(1);
}

export function svgReport(r: Results): string {
  const W = 960;
  const panels: string[] = [];
  let y = 40;
  const H = 300;
  if (r.throughput) {
    const tp = r.throughput;
    const systems = SYSTEMS.filter((s) => tp.table[s]);
    panels.push(
      barPanel(0, y, W, H, `Throughput: ${tp.count} containers through the full lifecycle (higher is better)`, 'containers/s',
        tp.levels.map((n) => ({ label: `${n} at a time`, bars: systems.map((s) => ({ key: s, value: tp.table[s]![String(n)] ?? NaN })) })),
        systems.map((s: System) => ({ key: s, label: SYSTEM_LABELS[s] })),
      ),
    );
    y += H + 10;
  }
  if (r.latency) {
    const l = r.latency;
    const keys = ['berth', 'runc', ...(l.commands.start.podman ? ['podman'] : []), ...(l.commands.start.dockerCli ? ['docker-cli', 'docker-api'] : [])];
    const LABELS: Record<string, string> = { berth: 'Berth (TS API)', runc: 'runc (direct calls)', podman: 'Podman CLI', 'docker-cli': 'Docker CLI', 'docker-api': 'Docker Engine API' };
    const p50 = (c: (typeof COMMANDS)[number], k: string) => {
      const x = l.commands[c];
      return ({ berth: x.berth, runc: x.runc, podman: x.podman, 'docker-cli': x.dockerCli, 'docker-api': x.dockerApi }[k] ?? null)?.p50 ?? NaN;
    };
    panels.push(
      barPanel(0, y, W, H, `Per-command latency p50, ms (lower is better; ${l.rounds} rounds)`, 'ms',
        COMMANDS.map((c) => ({ label: c === 'stop' ? 'stop -t 0' : c, bars: keys.map((k) => ({ key: k, value: p50(c, k) })) })),
        keys.map((k) => ({ key: k, label: LABELS[k]! })),
      ),
    );
    y += H + 10;
  }
  if (r.exit) {
    const ex = r.exit;
    panels.push(
      barPanel(0, y, W / 2, 220, 'Exit → exit code known, ms (lower is better)', 'ms',
        [
          { label: 'p50', bars: [{ key: 'berth', value: ex.berth.p50 }, { key: 'podman', value: ex.podmanWait?.p50 ?? NaN }] },
          { label: 'p99', bars: [{ key: 'berth', value: ex.berth.p99 }, { key: 'podman', value: ex.podmanWait?.p99 ?? NaN }] },
        ],
        [{ key: 'berth', label: 'Berth' }, { key: 'podman', label: 'podman wait' }],
      ),
    );
  }
  if (r.scale) {
    const sc = r.scale;
    panels.push(
      barPanel(W / 2, y, W / 2, 220, 'Command cycle p50 vs containers known, ms', 'ms',
        sc.levels.map((lv) => ({ label: lv.containers.toLocaleString('en'), bars: [{ key: 'berth', value: lv.cycleP50 }] })),
        [{ key: 'berth', label: 'Berth' }],
      ),
    );
  }
  if (r.exit || r.scale) y += 230;
  const e = r.env;
  const title = `Berth vs runc, conmon + runc and Podman — ${e.at.slice(0, 10)}, ${e.cores} cores${e.quick ? ' (quick mode)' : ''}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y + 10}" viewBox="0 0 ${W} ${y + 10}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="8" y="24" font-size="17" font-weight="700">${esc(title)}</text>`,
    ...panels,
    '</svg>',
    '',
  ].join('\n');
}
