/**
 * Runs a container's health probes on its node, beside its mailbox (a probe never holds the
 * container's commands back): the probe the machine asked for (its `requestProbe` effect) is run
 * through the runtime (oci/probe.ts: runc exec, killed at the health check's timeout), and its
 * result queued to the container's mailbox as the Berth-only `health` command, once per (run,
 * probe) whoever runs the effect again. A result lost with a worker that dies mid-probe is covered
 * by the machine's own timer (set again at timeout + interval when the probe was asked for).
 */
import type { Logger } from '../log.js';
import type { OciRuntime } from '../oci/types.js';
import type { ContainerStore } from '../store/containers.js';
import type { Waker } from './waker.js';

export interface ProbeRef {
  run: number;
  probe: number;
}

export class Prober {
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(
    private readonly o: { store: ContainerStore; runtime: OciRuntime; waker: Waker; log: Logger },
  ) {}

  /** Starts the probe; resolves at once (its result is queued when it ends). */
  start(container: string, ref: ProbeRef, key: string): void {
    const p = this.run(container, ref, key).catch((err: unknown) => this.o.log.warn({ container, err: String(err) }, 'health probe result not queued'));
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  private async run(container: string, ref: ProbeRef, key: string): Promise<void> {
    const record = await this.o.store.get(container);
    const hc = record?.spec.healthcheck;
    if (!hc) return;
    const start = new Date().toISOString();
    const outcome = this.o.runtime.probe
      ? await this.o.runtime.probe(container, hc.test, { timeoutMs: hc.timeoutMs, signal: this.abort.signal }).catch((err: unknown) => ({ exitCode: 1, output: err instanceof Error ? err.message : String(err) }))
      : { exitCode: 1, output: `runtime ${this.o.runtime.name} cannot run health probes` };
    if (this.abort.signal.aborted) return;
    const entry = { command: 'health', container, internal: true, run: ref.run, probe: ref.probe, exitCode: outcome.exitCode, text: outcome.output.slice(0, 4096), start, end: new Date().toISOString() };
    this.o.log.debug({ container, probe: ref.probe, exitCode: outcome.exitCode }, 'health probe done');
    const seq = await this.o.store.enqueue(container, JSON.stringify(entry), { commandId: key });
    this.o.waker.wake(container, seq, entry);
  }

  /** Ends the probes in flight (their results are not queued: the machine's timer covers them). */
  async close(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.running]);
  }
}
