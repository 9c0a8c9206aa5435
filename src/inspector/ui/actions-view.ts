/**
 * Buttons for the commands: the ones the machine accepts in the container's current state are
 * enabled; the others are disabled with the machine's reason as their tooltip.
 */
import type { CommandInfo } from '../chart.js';
import { h } from './dom.js';

export class ActionsView {
  readonly el: HTMLDivElement;
  private readonly buttons = new Map<string, HTMLButtonElement>();
  private readonly message: HTMLDivElement;
  private busy = false;

  constructor(private readonly run: (command: string) => Promise<string>) {
    this.el = h('div', { class: 'actions', id: 'actions' });
    this.message = h('div', { class: 'action-message', id: 'action-message', role: 'status' });
  }

  get messageEl(): HTMLDivElement {
    return this.message;
  }

  /** Enables exactly the commands valid now. */
  update(commands: readonly CommandInfo[]): void {
    for (const info of commands) {
      let b = this.buttons.get(info.command);
      if (!b) {
        b = h('button', { type: 'button', class: `cmd cmd-${info.command}`, 'data-command': info.command, text: info.command });
        const button = b;
        b.addEventListener('click', () => void this.click(info.command, button));
        this.buttons.set(info.command, b);
        this.el.append(b);
      }
      b.disabled = !info.valid || this.busy;
      b.dataset['valid'] = String(info.valid);
      b.title = info.valid ? `${info.command} this container` : info.reason;
    }
  }

  private async click(command: string, button: HTMLButtonElement): Promise<void> {
    this.busy = true;
    button.classList.add('pending');
    for (const b of this.buttons.values()) b.disabled = true;
    this.message.className = 'action-message';
    this.message.textContent = `${command}…`;
    try {
      this.message.textContent = await this.run(command);
    } catch (err) {
      this.message.className = 'action-message error';
      this.message.textContent = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
      button.classList.remove('pending');
      for (const b of this.buttons.values()) b.disabled = b.dataset['valid'] !== 'true';
    }
  }
}
