/**
 * A node worker's Prometheus metrics (prom-client), in a registry of their own: exactly the names
 * the README lists, plus prom-client's default process metrics. Counters and histograms move as
 * the worker works (CommandMetrics); the two gauges are read at scrape time from their sources
 * (Redis: the node's containers by state, its queue's jobs by state), so they are never stale.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the worker reports as it works; every method is cheap and never throws. */
export interface CommandMetrics {
  /** A command job ended: `outcome` is `ok` or the error's code (`ECTRSTATE`, …). */
  commandDone(command: string, outcome: string, seconds: number): void;
  /** A runtime call of the call table ended (`call`: its name, `ociStart`, …). */
  runtimeCall(call: string, seconds: number): void;
  /** A container's run ended with `code` (conmon's record, or -1 when none was), as committed. */
  exit(code: number): void;
  /** This worker took over the lease of a worker found dead. */
  leaseTakeover(): void;
  /** A container was started again (a restart). */
  restart(): void;
}

/** Where the gauges are read from at scrape time. */
export interface MetricSources {
  node: string;
  /** The node's containers, counted by state (every state, 0 included). */
  containers(): Promise<Record<string, number>>;
  /** The node queue's jobs, counted by BullMQ state (waiting, active, delayed, …). */
  queueJobs(): Promise<Record<string, number>>;
}

/** The metric names, as the README documents them. */
export const METRIC_NAMES = Object.freeze([
  'berth_containers',
  'berth_commands_total',
  'berth_command_duration_seconds',
  'berth_runtime_call_duration_seconds',
  'berth_queue_jobs',
  'berth_lease_takeovers_total',
  'berth_restarts_total',
  'berth_exits_total',
] as const);

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class BerthMetrics implements CommandMetrics {
  readonly registry = new Registry();
  private readonly commands: Counter<'command' | 'outcome'>;
  private readonly commandSeconds: Histogram<'command'>;
  private readonly callSeconds: Histogram<'call'>;
  private readonly takeovers: Counter;
  private readonly restarts: Counter;
  private readonly exits: Counter<'code'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const { node } = sources;
    new Gauge({
      name: 'berth_containers',
      help: "Containers on this worker's node, by state",
      labelNames: ['state', 'node'] as const,
      registers,
      async collect() {
        this.reset();
        for (const [state, n] of Object.entries(await sources.containers())) this.set({ state, node }, n);
      },
    });
    new Gauge({
      name: 'berth_queue_jobs',
      help: "Jobs in this node's command queue, by BullMQ state",
      labelNames: ['node', 'state'] as const,
      registers,
      async collect() {
        this.reset();
        for (const [state, n] of Object.entries(await sources.queueJobs())) this.set({ node, state }, n);
      },
    });
    this.commands = new Counter({ name: 'berth_commands_total', help: 'Command jobs ended, by command and outcome (ok, or the error code)', labelNames: ['command', 'outcome'] as const, registers });
    this.commandSeconds = new Histogram({ name: 'berth_command_duration_seconds', help: 'Time from taking a command job to its end', labelNames: ['command'] as const, buckets: DURATION_BUCKETS, registers });
    this.callSeconds = new Histogram({ name: 'berth_runtime_call_duration_seconds', help: 'Runtime calls (runc under conmon), by call of the call table', labelNames: ['call'] as const, buckets: DURATION_BUCKETS, registers });
    this.takeovers = new Counter({ name: 'berth_lease_takeovers_total', help: 'Container leases taken over from a dead worker', registers });
    this.restarts = new Counter({ name: 'berth_restarts_total', help: 'Containers started again by a restart', registers });
    this.exits = new Counter({ name: 'berth_exits_total', help: "Containers' main processes exited, by exit code", labelNames: ['code'] as const, registers });
  }

  commandDone(command: string, outcome: string, seconds: number): void {
    this.commands.inc({ command, outcome });
    this.commandSeconds.observe({ command }, seconds);
  }

  runtimeCall(call: string, seconds: number): void {
    this.callSeconds.observe({ call }, seconds);
  }

  exit(code: number): void {
    this.exits.inc({ code: String(code) });
  }

  leaseTakeover(): void {
    this.takeovers.inc();
  }

  restart(): void {
    this.restarts.inc();
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
