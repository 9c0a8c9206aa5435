/**
 * Exit delivery: each exit the runtime's monitor records becomes an `exited` entry in the
 * container's mailbox (with the run it ends, deduplicated: a re-reported exit gets its first seq
 * back), applied in this process by the waker. First the run's output is drained and its end
 * entry appended (output-shipper.ts), so a container seen stopped has all its output in its
 * stream. Exits Redis could not take are kept and delivered again when it is back.
 */
import { commandIds } from '../store/keys.js';
import { BerthError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ExitRecord } from '../oci/types.js';
import type { ContainerStore } from '../store/containers.js';
import type { Waker } from './waker.js';

export class ExitDelivery {
  constructor(
    private readonly store: ContainerStore,
    private readonly waker: Waker,
    private readonly log: Logger,
    /** Ends the run's output stream (drain, then the end entry) before the exit is queued. */
    private readonly endOutput: (exit: ExitRecord) => Promise<void> = async () => {},
  ) {}

  /** Exits recorded by conmon that Redis has not taken yet (it was unreachable). */
  private readonly undelivered = new Map<string, ExitRecord>();

  deliver(exit: ExitRecord): void {
    this.undelivered.set(`${exit.id}@${exit.at}`, exit);
    this.onExit(exit).then(
      () => this.undelivered.delete(`${exit.id}@${exit.at}`),
      (err: unknown) => this.log.warn({ err, container: exit.id }, 'could not queue an exit; will retry when Redis is back'),
    );
  }

  async onExit(exit: ExitRecord): Promise<void> {
    const log = this.log.child({ container: exit.id });
    const entry = { command: 'exited', container: exit.id, code: exit.code, at: exit.at, oomKilled: exit.oomKilled, ...(exit.run === undefined ? {} : { run: exit.run }) };
    const key = `${exit.run ?? ''}:${exit.at}`;
    await this.endOutput(exit);
    let seq: number;
    try {
      seq = await this.store.enqueue(
        exit.id,
        JSON.stringify(entry),
        // the same exit reported again (a worker died between these two writes, the monitor scans
        // the exit dir at start) gets its first seq back, so its job is added if it was not
        { dedupe: `exit:${key}`, commandId: commandIds.exit(exit.id, key) },
      );
    } catch (err) {
      if (err instanceof BerthError && err.code === 'ENOCTR') return log.debug('exit of a container Berth does not know');
      throw err;
    }
    if (seq === 0) return; // this exit was queued and applied long ago
    log.info({ code: exit.code }, 'container exited');
    this.waker.wake(exit.id, seq, entry);
  }

  /** Delivers again every exit Redis did not take (call when it is back). */
  retry(): void {
    for (const exit of this.undelivered.values()) this.deliver(exit);
  }
}
