/**
 * One container: its facts, the command buttons, its statechart with the current state lit (or,
 * in time travel, the state a past transition entered), and its history.
 */
import type { Inspect } from '../../actors/inspect.js';
import type { TransitionEvent } from '../../store/events.js';
import type { HistoryEntry } from '../../store/records.js';
import type { Chart, CommandInfo } from '../chart.js';
import { ActionsView } from './actions-view.js';
import { ChartView } from './chart-view.js';
import { api, getToken, RequestFailed } from './client.js';
import { h, setText } from './dom.js';
import { clock, stateClass, ZERO_TIME } from './format.js';
import { HistoryView } from './history-view.js';

const FACTS = ['Id', 'Node', 'State', 'Pid', 'Exit code', 'Started', 'Finished', 'Restarts', 'Version', 'Error'] as const;

export class DetailView {
  private current: Inspect | null = null;
  private travelling: HistoryEntry | null = null;
  private readonly chartView: ChartView;
  private readonly actions: ActionsView;
  private readonly history: HistoryView;
  private readonly title: HTMLHeadingElement;
  private readonly facts = new Map<string, HTMLElement>();
  private readonly banner: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly empty: HTMLParagraphElement;

  constructor(root: HTMLElement, private readonly chart: Chart) {
    this.chartView = new ChartView(chart);
    this.actions = new ActionsView((command) => this.run(command));
    this.history = new HistoryView((entry, i) => this.travel(entry, i));
    this.title = h('h2', { id: 'detail-title' });
    const dl = h('dl', { class: 'facts' });
    for (const f of FACTS) {
      const dd = h('dd', { 'data-fact': f });
      this.facts.set(f, dd);
      dl.append(h('dt', { text: f }), dd);
    }
    const live = h('button', { type: 'button', id: 'back-to-live', text: 'Back to live' });
    live.addEventListener('click', () => this.history.travel(null));
    this.banner = h('div', { class: 'travel', id: 'travel-banner', hidden: true }, h('span'), live);
    this.empty = h('p', { class: 'hint', text: 'Select a container to see its statechart, history and actions.' });
    this.body = h(
      'div',
      { class: 'detail-body', hidden: true },
      this.title,
      dl,
      this.actions.el,
      this.actions.messageEl,
      h('h3', { text: 'Statechart' }),
      this.banner,
      h('div', { class: 'chart-wrap', id: 'chart' }, this.chartView.el),
      h('h3', { text: 'History' }),
      this.history.el,
    );
    root.append(this.empty, this.body);
  }

  get selected(): string | null {
    return this.current?.Id ?? null;
  }

  async open(c: Inspect): Promise<void> {
    this.current = c;
    this.travelling = null;
    this.empty.hidden = true;
    this.body.hidden = false;
    this.body.dataset['id'] = c.Id;
    this.banner.hidden = true;
    setText(this.actions.messageEl, '');
    this.render(c);
    const { history } = await api.history(c.Id);
    if (this.current?.Id === c.Id) this.history.set(history);
  }

  /** A transition of the shown container. */
  update(c: Inspect, e: TransitionEvent): void {
    if (this.current?.Id !== c.Id) return;
    const status = (p: string) => p.split('.')[0] ?? p;
    if (status(e.from) !== status(e.to)) {
      this.history.append({ from: status(e.from), to: status(e.to), command: e.command, jobId: e.jobId, node: e.node, at: e.at, ms: e.ms });
    }
    this.current = c;
    this.render(c);
  }

  private render(c: Inspect): void {
    const s = c.State;
    const path = s.Activity ? `${s.Status}.${s.Activity}` : s.Status;
    setText(this.title, c.Name);
    const fact = (k: (typeof FACTS)[number], v: string) => setText(this.facts.get(k)!, v);
    fact('Id', c.Id.slice(0, 12));
    fact('Node', c.Node);
    const state = this.facts.get('State')!;
    state.replaceChildren(h('span', { class: `${stateClass(s.Status)}${s.Activity ? ' busy' : ''}`, 'data-status': s.Status, text: s.Activity ? `${s.Status} · ${s.Activity}` : s.Status }));
    fact('Pid', s.Pid ? String(s.Pid) : '—');
    fact('Exit code', s.FinishedAt === ZERO_TIME && s.Status !== 'exited' ? '—' : String(s.ExitCode));
    fact('Started', clock(s.StartedAt));
    fact('Finished', clock(s.FinishedAt));
    fact('Restarts', String(c.RestartCount));
    fact('Version', String(c.Version));
    fact('Error', s.Error || '—');
    this.facts.get('Error')!.title = s.Error;
    this.actions.update(this.chart.commands[path] ?? ([] as CommandInfo[]));
    if (!this.travelling) this.chartView.show(path);
  }

  private travel(entry: HistoryEntry | null, index: number): void {
    this.travelling = entry;
    const c = this.current;
    if (!entry || !c) {
      this.banner.hidden = true;
      this.body.classList.remove('travelling');
      if (c) this.chartView.show(c.State.Activity ? `${c.State.Status}.${c.State.Activity}` : c.State.Status);
      return;
    }
    this.banner.hidden = false;
    this.body.classList.add('travelling');
    setText(this.banner.firstElementChild!, `Time travel: transition #${index + 1} at ${clock(entry.at)}, ${entry.from} → ${entry.to} by ${entry.command}`);
    this.chartView.show(entry.to, { from: entry.from, to: entry.to, command: entry.command });
  }

  private async run(command: string): Promise<string> {
    const c = this.current;
    if (!c) return '';
    if (!getToken()) throw new Error('Enter the inspector token (printed by `berth inspector`) in the box at the top to act.');
    try {
      const out = await api.command(c.Name, command);
      return out.pending ? `${command} queued as job ${out.jobId}` : `${command} done: ${out.container.State.Status} (job ${out.jobId})`;
    } catch (err) {
      if (err instanceof RequestFailed) {
        const why = err.detail.status === 401 ? 'the token is wrong or missing' : err.detail.message;
        throw new Error(`${command} refused (${err.detail.status} ${err.detail.code}): ${why}`);
      }
      throw err;
    }
  }
}
