/**
 * A node's worker: reconciles the node with runc, then consumes the node's BullMQ queue
 * (processor.ts hands each command to the ContainerHost), ships containers' output to their
 * streams (output-shipper.ts), delivers the exits the runtime's monitor records (exits.ts), keeps durable timers as delayed jobs (scheduler.ts), routes the
 * entry queue (router.ts), frees dead siblings' jobs (reaper.ts), heartbeats the node, recovers
 * what a dead worker left half done, and shuts down gracefully.
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { ContainerHost } from '../actors/host.js';
import { reconcileNode } from '../actors/reconcile-node.js';
import { refreshNode } from '../actors/refresh-node.js';
import { afterNodeRefresh } from '../actors/after-refresh.js';
import { checkRootfsRoots, type RootfsPolicy } from '../oci/rootfs-policy.js';
import { ContainerStore } from '../store/containers.js';
import { Keys } from '../store/keys.js';
import { NodeRegistry } from '../store/nodes.js';
import { LeaseReleases } from '../store/lease-releases.js';
import { WorkerLocks } from '../store/worker-locks.js';
import { closeRedis, connectRedis, redisDataDir } from '../store/redis.js';
import { SourceStreams } from '../store/streams.js';
import { ExitDelivery } from './exits.js';
import { ExecExitDelivery } from './exec-exits.js';
import { SessionStreams } from './session-streams.js';
import { ExecDirMonitor } from '../oci/exec-exit-monitor.js';
import { StateLayout } from '../oci/layout.js';
import { nodeImages } from './node-images.js';
import type { ExecExitMonitor } from '../oci/types.js';
import { recoverNodeOnce } from './recover-node.js';
import { RouteQueues } from './route-queues.js';
import { OutputShipper } from './output-shipper.js';
import { describeHost } from './node-host.js';
import { ImageWorker } from './image-worker.js';
import { JobProcessor } from './processor.js';
import { ReadableWorker } from './readable-worker.js';
import { StdinForwarder } from './stdin-forwarder.js';
import { Reaper } from './reaper.js';
import { ENTRY_QUEUE, Router } from './router.js';
import { QueueScheduler } from './scheduler.js';
import { Prober } from './prober.js';
import { Waker } from './waker.js';
import { comeBack } from './come-back.js';
import { validateWorkerOptions, type WorkerOptions } from './worker-options.js';
import { workerMetrics } from './worker-metrics.js';
import { MetricsServer } from '../telemetry/index.js';

export { DEFAULT_WORKER_OPTIONS, validateWorkerOptions } from './worker-options.js';
export type { WorkerOptions } from './worker-options.js';

export class BerthWorker {
  private closing: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private reaping: NodeJS.Timeout | undefined;
  private reaper: Reaper | undefined;
  private router: Worker | undefined;
  /** Queues of other nodes this worker's router adds to, and the entry queue. */
  private routes: RouteQueues | undefined;
  /** Forwards clients' stdin to this node's processes (one worker of the node at a time). */
  private stdin: { close(): Promise<void> } | null = null;
  /** Serves the node's metrics (`metricsPort`); its address, for a scraper. */
  private metricsServer: MetricsServer | undefined;
  get metricsAddress(): { host: string; port: number } | undefined {
    return this.metricsServer?.address;
  }
  /** The node's image jobs (issue #11), when its runtime keeps a state dir. */
  private images: ImageWorker | undefined;
  /** Connections this worker opened for BullMQ's blocking reads; closed last. */
  private readonly connections: Redis[] = [];

  private own(conn: Redis): Redis {
    this.connections.push(conn);
    return conn;
  }

  private constructor(
    private readonly o: ReturnType<typeof validateWorkerOptions>,
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly store: ContainerStore,
    private readonly host: ContainerHost,
    private readonly leases: LeaseReleases,
    private readonly waker: Waker,
    private readonly exits: ExitDelivery,
    private readonly shipper: OutputShipper,
    /** Exec sessions: their output (one log each) and their exits. */
    private readonly exec: { shipper: OutputShipper; monitor: ExecExitMonitor | null; exits: ExecExitDelivery },
    /** Health probes in flight (ended at close: the machine's timer covers their results). */
    private readonly prober: Prober,
    private worker: Worker | undefined = undefined,
  ) {}

  static async start(options: WorkerOptions): Promise<BerthWorker> {
    const o = validateWorkerOptions(options);
    const keys = new Keys(o.prefix);
    const redis = await connectRedis(o.redis, { name: `berth-worker-${o.node}` });
    const store = new ContainerStore(redis, keys);
    const nodes = new NodeRegistry(redis, keys);
    const queue = new Queue(keys.nodeQueue(o.node), { connection: redis, prefix: keys.queuePrefix });
    queue.on('error', (err) => o.log.warn({ err }, 'queue connection error'));
    // exits and cleanups are applied here, not through the queue (waker.ts)
    const waker = new Waker({ drain: (id, seq) => host.drain(id, seq), queue, slots: o.concurrency, log: o.log });
    const prober = new Prober({ store, runtime: o.runtime, waker, log: o.log });
    const scheduler = new QueueScheduler(queue, store, waker, prober);
    const leases = new LeaseReleases(await connectRedis(o.redis, { name: `berth-worker-${o.node}-leases` }), keys);
    await leases.start();
    const metrics = o.metrics ? await workerMetrics(o.node, store, queue) : undefined;
    const host = new ContainerHost({ node: o.node, runtime: o.runtime, store, scheduler, log: o.log, leaseMs: o.leaseMs, leases, beforeCall: o.beforeCall, beforeEffects: o.beforeEffects, metrics, restartBackoff: { initialMs: o.restartBackoffMs, maxMs: o.restartBackoffMaxMs, resetMs: o.restartBackoffResetMs } });
    const shipper = new OutputShipper({ files: o.runtime.logFiles, streams: new SourceStreams(redis, keys), maxLines: o.logMaxLines, log: o.log });
    const exits = new ExitDelivery(store, waker, o.log, (exit) => shipper.end(exit));
    const streams = new SourceStreams(redis, keys);
    const layout = (o.runtime as { layout?: unknown }).layout;
    const execMonitor = o.execMonitor ?? (layout instanceof StateLayout ? new ExecDirMonitor(layout, { onError: (err) => o.log.warn({ err }, 'exec exit monitor') }) : null);
    const execShipper = new OutputShipper({ files: o.runtime.execLogFiles, streams: new SessionStreams(streams), maxLines: o.logMaxLines, log: o.log });
    const exec = { shipper: execShipper, monitor: execMonitor, exits: new ExecExitDelivery(store, waker, o.log, (exit) => execShipper.end(exit), execMonitor ?? {}) };
    const dataDir = await redisDataDir(redis);
    const rootfs: RootfsPolicy = {
      roots: o.rootfsRoots,
      private: [...o.runtime.paths.private, ...(dataDir === undefined ? [] : [dataDir])],
      open: o.runtime.paths.rootfs === undefined ? [] : [o.runtime.paths.rootfs],
    };
    const images = o.images ?? (layout instanceof StateLayout ? nodeImages(layout.stateDir, redis, keys, o.node) : undefined);
    const storage = { ...(images ? { images } : {}), ...(o.runtime.paths.storage ? { dir: o.runtime.paths.storage } : {}) };
    const jobs = new JobProcessor({ node: o.node, queue: queue.name, store, host, log: o.log, rootfs, storage, artifactMaxBytes: o.artifactMaxBytes, metrics });
    const self = new BerthWorker(o, redis, queue, store, host, leases, waker, exits, shipper, exec, prober);
    try {
      // a root that exposes Berth's own files is a configuration error: refuse to serve
      await checkRootfsRoots(rootfs);
      // after a reboot (the boot id changed): every stale container reset, through the machine
      const refresh = await refreshNode({ node: o.node, store, nodes, drain: (id, seq) => host.drain(id, seq), bootId: o.bootId, log: o.log });
      await afterNodeRefresh(refresh.refreshed, { node: o.node, log: o.log });
      // first agree with runc: a worker that cannot read its runtime fails here, registering nothing
      const report = await reconcileNode({ node: o.node, store, runtime: o.runtime, log: o.log, onLostExit: (exit) => self.exits.onExit(exit), onComeBack: (id, v) => comeBack(store, waker, id, v) });
      if (report.orphansDeleted.length || report.exitsLost.length || report.broughtBack.length) o.log.warn(report, 'reconciled the node with runc');
      await self.recoverNode();
      await nodes.register({
        name: o.node,
        labels: o.labels,
        runtime: o.runtime.name,
        version: o.version,
        concurrency: o.concurrency,
        startedAt: new Date().toISOString(),
        host: await describeHost(o.runtime, o.log),
      });
      await nodes.heartbeat(o.node, o.lostAfterMs);
      self.heartbeat = setInterval(() => {
        nodes.heartbeat(o.node, o.lostAfterMs).catch((err: unknown) => o.log.warn({ err }, 'heartbeat failed'));
      }, o.heartbeatMs);
      // Output written while no worker watched is shipped first, then as it is written.
      await shipper.start();
      // Exits recorded while no worker watched are reported first, then new ones as they happen.
      await o.monitor.start((exit) => self.exits.deliver(exit));
      // the same for exec sessions: output first, then exits (those recorded meanwhile first)
      await exec.shipper.start();
      await exec.monitor?.start((exit) => exec.exits.deliver(exit));
      self.stdin = await StdinForwarder.open(o.redis, { node: o.node, redis, store, keys, stdio: o.runtime.stdio, log: o.log });
      // Exits that could not be queued while Redis was away are delivered when it is back, and
      // output not shipped meanwhile is. So are the mailbox entries whose job failed or vanished
      // during the outage.
      redis.on('ready', () => {
        self.exits.retry();
        exec.exits.retry();
        exec.shipper.catchUp().catch((err: unknown) => o.log.warn({ err }, 'could not catch up the exec output after Redis came back'));
        // output written while appends failed has no change left to wake its shipping
        self.shipper.catchUp().catch((err: unknown) => o.log.warn({ err }, 'could not catch up the output after Redis came back'));
        self.recoverNode().catch((err: unknown) => o.log.warn({ err }, 'could not recover the node after Redis came back'));
      });
      // the jobs a killed predecessor (or a dead sibling) of this node held are freed at once
      const routes = (self.routes = new RouteQueues(redis, keys, o.log));
      const entry = routes.entry();
      const stalledInterval = Math.max(500, Math.floor(o.lockDurationMs / 2));
      const reaper = new Reaper(new WorkerLocks(redis, keys), o.node, [queue, entry], o.log, () => self.recoverNode());
      self.reaper = reaper;
      await reaper.reap();
      const blocking = await connectRedis(o.redis, { blocking: true, name: `berth-worker-${o.node}-bullmq` });
      self.connections.push(blocking);
      self.worker = new ReadableWorker(keys.nodeQueue(o.node), (job, token) => jobs.process(job, token), {
        connection: blocking,
        prefix: keys.queuePrefix,
        concurrency: o.concurrency,
        lockDuration: o.lockDurationMs,
        stalledInterval,
        maxStalledCount: 2,
      });
      self.worker.on('error', (err) => o.log.error({ err }, 'worker error'));
      // the entry queue, for producers that do not know the container's node
      await entry.setGlobalConcurrency(1);
      const router = new Router(store, nodes, keys, (node) => (node === o.node ? queue : routes.node(node)));
      self.router = new ReadableWorker(ENTRY_QUEUE, (job, token) => router.process(job, token), {
        connection: self.own(await connectRedis(o.redis, { blocking: true, name: `berth-worker-${o.node}-router` })),
        prefix: keys.queuePrefix,
        concurrency: 1,
        lockDuration: o.lockDurationMs,
        stalledInterval,
      });
      self.router.on('error', (err) => o.log.error({ err }, 'router error'));
      await reaper.register([self.worker, self.router]);
      self.reaping = setInterval(() => {
        reaper.reap().catch((err: unknown) => o.log.warn({ err }, 'could not free the jobs of dead workers'));
      }, stalledInterval);
      await Promise.all([self.worker.waitUntilReady(), self.router.waitUntilReady()]);
      if (metrics && o.metrics) self.metricsServer = await MetricsServer.start(metrics, o.metrics);
      if (layout instanceof StateLayout) {
        const blockingImages = await connectRedis(o.redis, { blocking: true, name: `berth-worker-${o.node}-images` });
        self.images = await ImageWorker.start({ node: o.node, stateDir: layout.stateDir, redis, blocking: blockingImages, keys, containers: store, log: o.log });
      }
    } catch (err) {
      await self.close();
      throw err;
    }
    o.log.info({ concurrency: o.concurrency, runtime: o.runtime.name, rootfsRoots: o.rootfsRoots, metrics: self.metricsAddress ?? null }, 'worker ready');
    return self;
  }

  /**
   * Picks up what a dead worker of this node left half done, at start and whenever the reaper
   * finds a dead sibling: the effects it committed but did not run (a stop's deadline, a cleanup
   * request), and commands in a mailbox whose job is gone (a wake-up job with the id Berth's own
   * producers use for that seq drains them; if that job still exists, adding it again does nothing).
   */
  private recoverNode(): Promise<void> {
    // one pass at a time: Redis coming back, a dead sibling and the start may all ask at once
    this.recovering ??= this.recoverOnce().finally(() => (this.recovering = undefined));
    return this.recovering;
  }

  private recovering: Promise<void> | undefined;

  private recoverOnce(): Promise<void> {
    return recoverNodeOnce(this.o.node, this.store, this.host, this.queue);
  }

  private async bounded(graceful: () => Promise<void>, force: () => Promise<void> | undefined): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((r) => {
      timer = setTimeout(() => r('expired'), this.o.shutdownMs);
    });
    const outcome = await Promise.race([graceful().then(() => 'done' as const), expired]);
    clearTimeout(timer);
    if (outcome === 'expired') {
      this.o.log.warn({ shutdownMs: this.o.shutdownMs }, 'in-flight commands did not finish in time; their jobs will be retried');
      await force();
    }
  }

  /** Stops taking jobs, finishes those in flight, leaves containers running. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.heartbeat);
      clearInterval(this.reaping);
      this.waker.close();
      const steps: Array<() => Promise<unknown>> = [
        // in-flight commands finish (and release their leases) within shutdownMs; containers run on
        () => this.bounded(() => this.router?.close() ?? Promise.resolve(), () => this.router?.close(true)),
        () =>
          this.bounded(
            () => this.worker?.close() ?? Promise.resolve(),
            () => {
              // the calls in flight end (their runc processes too); the next worker settles them
              this.host.abortAll('worker shutting down');
              return this.worker?.close(true);
            },
          ),
        () => this.images?.close() ?? Promise.resolve(),
        () => this.bounded(() => this.waker.idle(), () => undefined),
        () => this.metricsServer?.close() ?? Promise.resolve(),
        () => this.prober.close(),
        () => this.o.monitor.close(),
        () => this.exec.monitor?.close() ?? Promise.resolve(),
        () => this.shipper.close(),
        () => this.exec.shipper.close(),
        () => this.stdin?.close() ?? Promise.resolve(),
        // exits and cleanups not applied here by now go to a sibling (or the next start) as jobs
        () => this.waker.handOff(),
        () => this.reaper?.unregister() ?? Promise.resolve(),
        ...(this.routes?.closers() ?? []),
        () => this.leases.close(),
        () => this.queue.close(),
        () => closeRedis(this.redis),
        ...this.connections.map((c) => () => closeRedis(c)),
      ];
      for (const s of steps) await s().catch((err: unknown) => this.o.log.warn({ err }, 'error while closing'));
    })();
    return this.closing;
  }
}
