/**
 * worker: runs a node's worker in the foreground: runc (under conmon) for the runtime, the exit
 * dir monitor for exits, the node's BullMQ queue for commands. SIGINT/SIGTERM close it (in-flight
 * commands finish; containers keep running) and exit 0.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { BerthError } from '../../errors.js';
import { createLogger, type Logger } from '../../log.js';
import { ExitDirMonitor, RuncRuntime, validateRootfsRoots } from '../../oci/index.js';
import { berthVersion } from '../../queue/berth-version.js';
import { BerthWorker, DEFAULT_WORKER_OPTIONS } from '../../queue/worker.js';
import { untilSignal, withGlobalOptions, type Invocation } from '../context.js';
import { DEFAULT_METRICS_HOST, validateMetricsServerOptions } from '../../telemetry/index.js';
import { collect, parseLabels, parseNameFlag, parsePositiveInt } from '../flags.js';

export const DEFAULT_RUNTIME = '/usr/sbin/runc';

export interface NodeWorkerOptions {
  redis: string;
  node: string;
  stateDir: string;
  concurrency?: number;
  runtime?: string;
  /** runc --root (default <stateDir>/runc). */
  runtimeRoot?: string;
  logLevel?: string;
  labels?: Record<string, string>;
  /** Lines of output each container's stream keeps (WorkerOptions.logMaxLines). */
  logMaxLines?: number;
  /** Where containers' root filesystems may be (default <stateDir>/rootfs). */
  rootfsRoots?: string[];
  /** The bound on one artifact (WorkerOptions.artifactMaxBytes). */
  artifactMaxBytes?: number;
  /** Serve Prometheus metrics on this port (WorkerOptions.metricsPort) and host. */
  metricsPort?: number;
  metricsHost?: string;
  /** The restart policies' first backoff delay, ms (WorkerOptions.restartBackoffMs). */
  restartBackoffMs?: number;
}

export interface NodeWorker {
  worker: BerthWorker;
  log: Logger;
  runtime: string;
  runtimeRoot: string;
}

/** Berth's version, for the node registry and `--version`. */
export { berthVersion } from '../../queue/berth-version.js';

/** Builds the runtime and exit monitor from the flags and starts the node's worker. */
export async function startNodeWorker(o: NodeWorkerOptions): Promise<NodeWorker> {
  const runtimePath = resolve(o.runtime ?? DEFAULT_RUNTIME);
  const runtimeRoot = resolve(o.runtimeRoot ?? join(o.stateDir, 'runc'));
  const log = createLogger({ node: o.node, ...(o.logLevel === undefined ? {} : { level: o.logLevel }) });
  const runtime = new RuncRuntime({ runtime: runtimePath, root: runtimeRoot, stateDir: o.stateDir });
  const worker = await BerthWorker.start({
    redis: o.redis,
    node: o.node,
    ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
    runtime,
    monitor: new ExitDirMonitor(runtime.exitDir, { onError: (err) => log.warn({ err }, 'exit monitor') }),
    log,
    version: berthVersion(),
    ...(o.labels === undefined ? {} : { labels: o.labels }),
    ...(o.logMaxLines === undefined ? {} : { logMaxLines: o.logMaxLines }),
    ...(o.rootfsRoots === undefined ? {} : { rootfsRoots: o.rootfsRoots }),
    ...(o.artifactMaxBytes === undefined ? {} : { artifactMaxBytes: o.artifactMaxBytes }),
    ...(o.metricsPort === undefined ? {} : { metricsPort: o.metricsPort }),
    ...(o.metricsHost === undefined ? {} : { metricsHost: o.metricsHost }),
    ...(o.restartBackoffMs === undefined ? {} : { restartBackoffMs: o.restartBackoffMs }),
  });
  return { worker, log, runtime: runtimePath, runtimeRoot };
}

export interface WorkerFlags {
  node?: string;
  label?: string[];
  concurrency?: string;
  runtime?: string;
  runtimeRoot?: string;
  logMaxLines?: string;
  rootfsRoot?: string[];
  artifactMaxBytes?: string;
  metricsPort?: string;
  metricsHost?: string;
  /** worker only: --restart-backoff */
  restartBackoff?: string;
}

/** Adds the flags `worker` and `up` share. */
export function workerFlags(cmd: Command, nodeHelp: string): Command {
  return cmd
    .option('--node <name>', nodeHelp)
    .option('--concurrency <n>', 'how many commands to run at once (commands for one container always run in order)', '8')
    .option('--runtime <path>', 'the OCI runtime binary', DEFAULT_RUNTIME)
    .option('--runtime-root <dir>', 'where the runtime keeps its state (runc --root; default <state dir>/runc)')
    .option('--label <KEY=VALUE>', 'a label of this node, for `create --constraint` (repeatable)', collect)
    .option('--log-max-lines <n>', 'lines of output Redis keeps per container for `berth logs`, the oldest trimmed first (about: in blocks of 100)', String(DEFAULT_WORKER_OPTIONS.logMaxLines))
    .option(
      '--rootfs-root <dir>',
      "a directory containers' root filesystems must be in, symlinks resolved (repeatable; default <state dir>/rootfs); never /, nor one holding Berth's state",
      collect,
    )
    .option('--artifact-max-bytes <n>', 'the most bytes one artifact of a container may hold (`berth artifact add`)', String(DEFAULT_WORKER_OPTIONS.artifactMaxBytes))
    .option('--metrics-port <port>', 'serve Prometheus metrics at http://<metrics host>:<port>/metrics (default: none)')
    .option('--metrics-host <host>', 'the address the metrics are served on', DEFAULT_METRICS_HOST);
}

export interface CheckedWorkerFlags {
  node: string | undefined;
  concurrency: number;
  labels: Record<string, string>;
  logMaxLines: number;
  /** Absolute (resolved against the working dir); undefined for the default. */
  rootfsRoots: string[] | undefined;
  artifactMaxBytes: number;
  /** Both undefined without --metrics-port. */
  metricsPort: number | undefined;
  metricsHost: string | undefined;
}

/** Validates the shared flags (before anything starts). */
export function checkWorkerFlags(flags: WorkerFlags, cwd = process.cwd()): CheckedWorkerFlags {
  return {
    node: flags.node === undefined ? undefined : parseNameFlag('--node', flags.node),
    concurrency: parsePositiveInt('--concurrency', flags.concurrency ?? '8'),
    labels: parseLabels('--label', flags.label ?? []),
    logMaxLines: parsePositiveInt('--log-max-lines', flags.logMaxLines ?? String(DEFAULT_WORKER_OPTIONS.logMaxLines)),
    rootfsRoots: flags.rootfsRoot === undefined ? undefined : validateRootfsRoots(flags.rootfsRoot.map((d) => resolve(cwd, d)), '--rootfs-root'),
    artifactMaxBytes: parsePositiveInt('--artifact-max-bytes', flags.artifactMaxBytes ?? String(DEFAULT_WORKER_OPTIONS.artifactMaxBytes)),
    ...checkMetricsFlags(flags),
  };
}

/** `--metrics-port` (0 to 65535; 0 picks a free port) and `--metrics-host`, checked. */
function checkMetricsFlags(flags: WorkerFlags): { metricsPort: number | undefined; metricsHost: string | undefined } {
  if (flags.metricsPort === undefined) return { metricsPort: undefined, metricsHost: undefined };
  if (!/^\d{1,5}$/.test(flags.metricsPort) || Number(flags.metricsPort) > 65535) {
    throw new BerthError('EINVAL', `\`--metrics-port\` must be a port number from 0 to 65535, got "${flags.metricsPort}"`);
  }
  const checked = validateMetricsServerOptions({ port: Number(flags.metricsPort), host: flags.metricsHost ?? DEFAULT_METRICS_HOST });
  return { metricsPort: checked.port, metricsHost: checked.host };
}

export function registerWorker(program: Command, inv: Invocation): void {
  const cmd = program
    .command('worker')
    .summary("Run a node's worker")
    .description(
      "Run a node's worker in the foreground: it executes the commands queued for the node on the OCI runtime (runc under conmon), records exits, and heartbeats the node. Ctrl-C (SIGINT) or SIGTERM stops it; containers keep running, and a worker started again on the node takes them back.",
    )
    .addHelpText(
      'after',
      [
        '',
        "Containers get their own network namespace (loopback only), Podman's default seccomp profile and a",
        "pids limit, and a rootfs only from the --rootfs-root directories, so that they cannot reach Berth's",
        'Redis or read its state. Example, on a second machine:',
        '  berth worker --node n2 --rootfs-root /srv/rootfs --redis redis://:password@n1.example:6379',
      ].join('\n'),
    );
  workerFlags(cmd, "this node's name (required; containers are placed on nodes by name)");
  cmd.option('--restart-backoff <ms>', "restart policies: the first delay between restarts on this node, doubling to 5 min (default BERTH_RESTART_BACKOFF_MS, else 10000); a container's spec overrides it");
  withGlobalOptions(cmd, ['redis', 'stateDir', 'logLevel']);
  cmd.action(async (flags: WorkerFlags, self: Command) => {
    const where = { command: 'worker' };
    try {
      const { node, concurrency, labels, logMaxLines, rootfsRoots, artifactMaxBytes, metricsPort, metricsHost } = checkWorkerFlags(flags);
      if (node === undefined) throw new BerthError('EINVAL', '`--node` is required: the name of this node');
      const globals = inv.globals(self);
      const target = inv.redis(self);
      const signalled = untilSignal();
      const started = await startNodeWorker({
        redis: target.url,
        node,
        stateDir: inv.stateDir(self),
        concurrency,
        labels,
        logMaxLines,
        artifactMaxBytes,
        ...(rootfsRoots === undefined ? {} : { rootfsRoots }),
        ...(metricsPort === undefined ? {} : { metricsPort, ...(metricsHost === undefined ? {} : { metricsHost }) }),
        ...(flags.restartBackoff === undefined ? {} : { restartBackoffMs: parsePositiveInt('--restart-backoff', flags.restartBackoff) }),
        ...(flags.runtime === undefined ? {} : { runtime: flags.runtime }),
        ...(flags.runtimeRoot === undefined ? {} : { runtimeRoot: flags.runtimeRoot }),
        ...(globals.logLevel === undefined ? {} : { logLevel: globals.logLevel }),
      });
      const sig = await signalled;
      started.log.info({ signal: sig }, 'stopping the worker');
      await started.worker.close();
    } catch (err) {
      inv.fail(err, where);
    }
  });
}
