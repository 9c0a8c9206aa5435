/**
 * The containers table. Built once; afterwards each transition touches only its own row (and
 * only the cells that changed), filtering toggles `hidden`, and the uptime tick rewrites only the
 * rows of containers that are up. Scales to thousands of rows without re-rendering.
 */
import type { Inspect } from '../../actors/inspect.js';
import { h, setText } from './dom.js';
import { duration, shortId, stateClass, ZERO_TIME } from './format.js';

interface Row {
  tr: HTMLTableRowElement;
  state: HTMLSpanElement;
  node: HTMLTableCellElement;
  exit: HTMLTableCellElement;
  uptime: HTMLTableCellElement;
  restarts: HTMLTableCellElement;
  c: Inspect;
}

export const STATUSES = ['configured', 'created', 'running', 'paused', 'stopping', 'stopped', 'exited', 'removing', 'unknown', 'removed'];

export class ContainersView {
  private readonly rows = new Map<string, Row>();
  private readonly up = new Set<string>();
  private readonly shown = new Set<string>();
  private readonly tbody: HTMLTableSectionElement;
  private readonly search: HTMLInputElement;
  private readonly status: HTMLSelectElement;
  private readonly count: HTMLSpanElement;
  private selected: string | null = null;

  constructor(root: HTMLElement, private readonly onSelect: (c: Inspect) => void) {
    this.search = h('input', { type: 'search', id: 'filter', placeholder: 'Search name, Id or node…', 'aria-label': 'search containers' });
    this.status = h('select', { id: 'status-filter', 'aria-label': 'filter by state' }, h('option', { value: '', text: 'all states' }));
    for (const s of STATUSES) this.status.append(h('option', { value: s, text: s }));
    this.count = h('span', { class: 'count', id: 'container-count' });
    this.tbody = h('tbody');
    const head = h('tr', {}, ...['Name', 'Node', 'State', 'Exit', 'Uptime', 'Restarts'].map((t) => h('th', { text: t })));
    root.append(
      h('div', { class: 'toolbar' }, this.search, this.status, this.count),
      h('div', { class: 'scroll' }, h('table', { class: 'containers', id: 'containers' }, h('thead', {}, head), this.tbody)),
    );
    this.search.addEventListener('input', () => this.applyFilter());
    this.status.addEventListener('change', () => this.applyFilter());
    this.tbody.addEventListener('click', (ev) => {
      const tr = (ev.target as Element).closest('tr');
      const row = tr ? this.rows.get(tr.dataset['id'] ?? '') : undefined;
      if (row) this.onSelect(row.c);
    });
  }

  get size(): number {
    return this.rows.size;
  }

  get(id: string): Inspect | undefined {
    return this.rows.get(id)?.c;
  }

  all(): Inspect[] {
    return [...this.rows.values()].map((r) => r.c);
  }

  /** Replaces every row (first load, or after a reset). */
  setAll(list: readonly Inspect[]): void {
    this.rows.clear();
    this.up.clear();
    this.shown.clear();
    const frag = document.createDocumentFragment();
    for (const c of list) frag.append(this.createRow(c).tr);
    this.tbody.replaceChildren(frag);
    this.applyFilter();
  }

  /** Adds or updates one container's row; returns false for a stale version. */
  upsert(c: Inspect): boolean {
    const row = this.rows.get(c.Id);
    if (!row) {
      this.tbody.append(this.createRow(c).tr);
      this.updateCount();
      return true;
    }
    if (c.Version <= row.c.Version) return false;
    row.c = c;
    this.fill(row);
    this.show(row);
    this.updateCount();
    return true;
  }

  select(id: string | null): void {
    if (this.selected) this.rows.get(this.selected)?.tr.classList.remove('selected');
    this.selected = id;
    if (id) this.rows.get(id)?.tr.classList.add('selected');
  }

  /** Once a second: uptimes of running and paused containers. */
  tick(now = Date.now()): void {
    for (const id of this.up) {
      const row = this.rows.get(id);
      if (row && !row.tr.hidden) setText(row.uptime, uptime(row.c, now));
    }
  }

  private createRow(c: Inspect): Row {
    const state = h('span');
    const row: Row = {
      tr: h('tr', { 'data-id': c.Id, 'data-name': c.Name }),
      state,
      node: h('td', { class: 'node' }),
      exit: h('td', { class: 'num exit' }),
      uptime: h('td', { class: 'num uptime' }),
      restarts: h('td', { class: 'num restarts' }),
      c,
    };
    row.tr.append(
      h('td', { class: 'name' }, h('span', { class: 'cname', text: c.Name }), h('span', { class: 'cid', text: shortId(c.Id) })),
      row.node,
      h('td', { class: 'state' }, state),
      row.exit,
      row.uptime,
      row.restarts,
    );
    if (this.selected === c.Id) row.tr.classList.add('selected');
    this.rows.set(c.Id, row);
    this.fill(row);
    this.show(row);
    return row;
  }

  private fill(row: Row): void {
    const { c } = row;
    const s = c.State;
    // a crash loop (restart policies): Docker's `Restarting (N) in 20s`, the restart's time in the title
    const restarting = s.Restarting && s.NextRestartAt ? `restarting (${s.ExitCode}) in ${duration(Math.max(0, Date.parse(s.NextRestartAt) - Date.now()))}` : '';
    const label = restarting || (s.Activity ? `${s.Status} · ${s.Activity}` : s.Status);
    if (row.state.dataset['status'] !== s.Status || row.state.dataset['activity'] !== s.Activity || row.state.dataset['restarting'] !== restarting) {
      row.state.className = `${stateClass(s.Status)}${s.Activity || restarting ? ' busy' : ''}`;
      row.state.dataset['status'] = s.Status;
      row.state.dataset['activity'] = s.Activity;
      row.state.dataset['restarting'] = restarting;
      row.state.textContent = label;
      if (restarting) row.state.title = `restart policy: next restart at ${s.NextRestartAt ?? ''} (backoff ${s.RestartBackoffMs ?? 0} ms)`;
      else if (s.Error) row.state.title = s.Error;
      else row.state.removeAttribute('title');
    }
    setText(row.node, c.Node);
    setText(row.exit, s.Status === 'exited' || s.Status === 'stopped' || s.FinishedAt !== ZERO_TIME ? String(s.ExitCode) : '—');
    setText(row.restarts, String(c.RestartCount));
    if (s.Status === 'running' || s.Status === 'paused') this.up.add(c.Id);
    else this.up.delete(c.Id);
    setText(row.uptime, uptime(c, Date.now()));
  }

  private matches(c: Inspect): boolean {
    const want = this.status.value;
    if (want && c.State.Status !== want) return false;
    const q = this.search.value.trim().toLowerCase();
    return !q || c.Name.toLowerCase().includes(q) || c.Id.startsWith(q) || c.Node.toLowerCase().includes(q);
  }

  private applyFilter(): void {
    for (const row of this.rows.values()) this.show(row);
    this.updateCount();
  }

  private show(row: Row): void {
    const visible = this.matches(row.c);
    if (row.tr.hidden === visible) row.tr.hidden = !visible;
    if (visible) this.shown.add(row.c.Id);
    else this.shown.delete(row.c.Id);
  }

  private updateCount(): void {
    const shown = this.shown.size;
    setText(this.count, shown === this.rows.size ? `${shown} containers` : `${shown} of ${this.rows.size} containers`);
  }
}

function uptime(c: Inspect, now: number): string {
  const s = c.State;
  if ((s.Status !== 'running' && s.Status !== 'paused') || s.StartedAt === ZERO_TIME) return '—';
  return duration(now - Date.parse(s.StartedAt)) + (s.Status === 'paused' ? ' (paused)' : '');
}
