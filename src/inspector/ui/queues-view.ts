/**
 * Queues, one card per node queue: waiting, active, delayed and failed counts, the jobs in each,
 * a failed job's error and a Retry button. Each `queues` frame replaces one card.
 */
import type { JobView, QueueView } from '../queues.js';
import { api, RequestFailed } from './client.js';
import { h } from './dom.js';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
const SHOWN = 8;

export class QueuesView {
  private readonly cards = new Map<string, HTMLElement>();
  private readonly list: HTMLDivElement;

  constructor(root: HTMLElement, private readonly nameOf: (container: string) => string) {
    this.list = h('div', { class: 'queue-list', id: 'queues' }, h('p', { class: 'hint', text: 'No node queues yet.' }));
    root.append(this.list);
  }

  setAll(views: readonly QueueView[]): void {
    for (const v of views) this.update(v);
  }

  update(v: QueueView): void {
    const card = h(
      'section',
      { class: 'queue', 'data-node': v.node },
      h('h3', {}, h('span', { text: v.node }), h('code', { class: 'qname', text: v.queue })),
      h(
        'div',
        { class: 'counts' },
        ...STATES.map((s) => h('span', { class: `count-${s}${v.counts[s] ? ' nonzero' : ''}`, 'data-count': s, text: `${v.counts[s]} ${s}` })),
        h('span', { class: 'count-completed', 'data-count': 'completed', text: `${v.counts.completed} completed` }),
      ),
      ...STATES.filter((s) => v.jobs[s].length > 0).map((s) => this.jobs(v, s)),
    );
    const old = this.cards.get(v.node);
    if (old) old.replaceWith(card);
    else {
      this.list.querySelector('p.hint')?.remove();
      this.list.append(card);
    }
    this.cards.set(v.node, card);
  }

  private jobs(v: QueueView, state: (typeof STATES)[number]): HTMLElement {
    const jobs = v.jobs[state];
    const items = jobs.slice(0, SHOWN).map((j) => this.job(v.node, state, j));
    const more = v.counts[state] - items.length;
    return h('div', { class: `jobs jobs-${state}` }, h('h4', { text: state }), h('ul', {}, ...items), more > 0 ? h('p', { class: 'hint', text: `and ${more} more` }) : null);
  }

  private job(node: string, state: string, j: JobView): HTMLElement {
    const who = j.container ? this.nameOf(j.container) : '';
    const li = h('li', { 'data-job': j.id }, h('code', { text: j.command ?? j.name }), ' ', h('span', { class: 'who', text: who }), h('span', { class: 'jid', text: ` #${j.id.slice(-6)}`, title: j.id }));
    if (state === 'failed') {
      const retry = h('button', { type: 'button', class: 'retry', text: 'Retry' });
      retry.addEventListener('click', () => {
        retry.disabled = true;
        api.retry(node, j.id).catch((err: unknown) => {
          retry.disabled = false;
          retry.title = err instanceof RequestFailed ? `${err.detail.status}: ${err.detail.message}` : String(err);
          retry.classList.add('failed');
        });
      });
      li.append(retry, h('div', { class: 'error', text: j.failedReason ?? 'failed' }));
    }
    return li;
  }
}
