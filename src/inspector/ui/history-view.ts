/**
 * A container's history: every status transition with its command, job id, node and duration.
 * Clicking a row travels back in time: the chart shows the state the container entered then, and
 * the transition that took it there.
 */
import type { HistoryEntry } from '../../store/records.js';
import { h } from './dom.js';
import { clock, millis } from './format.js';

export class HistoryView {
  readonly el: HTMLDivElement;
  private readonly tbody: HTMLTableSectionElement;
  private entries: HistoryEntry[] = [];
  private selected: number | null = null;

  constructor(private readonly onTravel: (entry: HistoryEntry | null, index: number) => void) {
    this.tbody = h('tbody');
    const head = h('tr', {}, ...['#', 'At', 'Transition', 'Command', 'Job', 'Node', 'Took'].map((t) => h('th', { text: t })));
    this.el = h('div', { class: 'history scroll' }, h('table', { id: 'history' }, h('thead', {}, head), this.tbody));
    this.tbody.addEventListener('click', (ev) => {
      const tr = (ev.target as Element).closest('tr');
      const i = Number(tr?.dataset['index'] ?? -1);
      const entry = this.entries[i];
      if (!entry) return;
      if (this.selected === i) this.travel(null);
      else this.travel(i);
    });
  }

  set(entries: readonly HistoryEntry[]): void {
    this.entries = [...entries];
    this.selected = null;
    this.tbody.replaceChildren(...this.entries.map((e, i) => this.row(e, i)));
  }

  append(entry: HistoryEntry): void {
    this.entries.push(entry);
    const tr = this.row(entry, this.entries.length - 1);
    this.tbody.append(tr);
    tr.scrollIntoView({ block: 'nearest' });
  }

  /** null: back to live. */
  travel(index: number | null): void {
    if (this.selected !== null) this.tbody.children[this.selected]?.classList.remove('selected');
    this.selected = index;
    if (index !== null) this.tbody.children[index]?.classList.add('selected');
    this.onTravel(index === null ? null : (this.entries[index] ?? null), index ?? -1);
  }

  private row(e: HistoryEntry, i: number): HTMLTableRowElement {
    return h(
      'tr',
      { 'data-index': i, 'data-to': e.to, title: 'show the chart as it was after this transition' },
      h('td', { class: 'num', text: i + 1 }),
      h('td', { class: 'time', text: clock(e.at) }),
      h('td', {}, e.from ? h('span', { class: `st st-${e.from}`, text: e.from }) : h('span', { class: 'new', text: '(new)' }), ' → ', h('span', { class: `st st-${e.to}`, text: e.to })),
      h('td', { class: 'mono', text: e.command }),
      h('td', { class: 'mono job', text: e.jobId ? e.jobId.slice(0, 12) + (e.jobId.includes('-') ? e.jobId.slice(e.jobId.lastIndexOf('-')) : '') : '—', title: e.jobId }),
      h('td', { text: e.node }),
      h('td', { class: 'num', text: millis(e.ms) }),
    );
  }
}
