/**
 * Exec exit delivery, as exits.ts does for containers: each exit a session's conmon records
 * (ExecDirMonitor) first ends the session's output stream (the rest of its log, then an end entry
 * with the exit code: a client on any machine gets the code from there), then becomes an
 * `execExited` entry in the container's mailbox (deduplicated by session: a re-reported exit gets
 * its first seq back), applied here by the waker. Once queued, the session's files go. A worker
 * killed in between leaves the exit file: the next worker (restarted, or a sibling on the node)
 * reports it at start and delivers it. Exits Redis could not take are delivered again when it is back.
 */
import { BerthError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ExecExitMonitor, ExecExitRecord, ExitRecord } from '../oci/types.js';
import type { ContainerStore } from '../store/containers.js';
import { commandIds } from '../store/keys.js';
import type { Waker } from './waker.js';

/** The source name of a session in the exec shipper (`<id>/<session>`, as execLogFiles names it). */
export const sessionSource = (id: string, session: string) => `${id}/${session}`;

export class ExecExitDelivery {
  private readonly undelivered = new Map<string, ExecExitRecord>();

  constructor(
    private readonly store: ContainerStore,
    private readonly waker: Waker,
    private readonly log: Logger,
    /** Ends the session's output stream (drain, then the end entry). */
    private readonly endOutput: (exit: ExitRecord) => Promise<void>,
    private readonly monitor: Pick<ExecExitMonitor, 'forget'>,
  ) {}

  deliver(exit: ExecExitRecord): void {
    this.undelivered.set(exit.session, exit);
    this.onExit(exit).then(
      () => this.undelivered.delete(exit.session),
      (err: unknown) => this.log.warn({ err, container: exit.id, session: exit.session }, 'could not queue an exec exit; will retry when Redis is back'),
    );
  }

  async onExit(exit: ExecExitRecord): Promise<void> {
    const log = this.log.child({ container: exit.id, session: exit.session });
    await this.endOutput({ id: sessionSource(exit.id, exit.session), code: exit.code, at: exit.at, oomKilled: false, run: 1 });
    const entry = { command: 'execExited', container: exit.id, session: exit.session, code: exit.code, at: exit.at };
    let seq = 0;
    try {
      seq = await this.store.enqueue(exit.id, JSON.stringify(entry), { dedupe: `exec-exit:${exit.session}`, commandId: commandIds.execExit(exit.id, exit.session) });
    } catch (err) {
      if (!(err instanceof BerthError && err.code === 'ENOCTR')) throw err;
      log.debug('exec exit of a container Berth does not know');
    }
    if (seq > 0) {
      log.info({ code: exit.code }, 'exec session exited');
      this.waker.wake(exit.id, seq, entry);
    }
    await this.monitor.forget?.(exit.id, exit.session);
  }

  retry(): void {
    for (const exit of this.undelivered.values()) this.deliver(exit);
  }
}
