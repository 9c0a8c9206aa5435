/**
 * up: Berth on one machine. Without --redis (or BERTH_REDIS_URL) it runs the embedded default, a
 * private redis-server on a unix socket in the state dir (AOF on), then a worker in this process;
 * `berth` in other terminals finds that socket through the same state dir. It also serves the
 * inspector (127.0.0.1:7777 unless --inspector-host/--inspector-port say otherwise, or
 * --no-inspector). SIGINT/SIGTERM close the inspector and the worker, then stop redis-server
 * (containers keep running).
 */
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { BerthError } from '../../errors.js';
import { ensureBusyboxRootfs } from '../../oci/index.js';
import { describeRedis } from '../../store/redis.js';
import { defaultStateDir, untilSignal, withGlobalOptions, type Invocation } from '../context.js';
import { startEmbeddedRedis, type EmbeddedRedis } from '../embedded-redis.js';
import { sanitizeNodeName } from '../flags.js';
import type { Inspector } from '../../inspector/index.js';
import { checkUpInspectorFlags, startUpInspector, upInspectorFlags, type UpInspectorFlags } from './inspector.js';
import { checkWorkerFlags, startNodeWorker, workerFlags, type NodeWorker, type WorkerFlags } from './worker.js';

interface Banner {
  node: string;
  url: string;
  embedded: boolean;
  stateDir: string;
  defaultDir: boolean;
  rootfs: string | undefined;
  runtime: string;
}

export function bannerLines(b: Banner): string[] {
  // never the password: the embedded one stays in its file, a given URL's is shown as ***
  const where = b.embedded ? `Redis (embedded) at ${describeRedis(b.url)}, data in ${b.stateDir}` : `Redis at ${describeRedis(b.url)}`;
  const others = !b.embedded
    ? `In other terminals: export BERTH_REDIS_URL=${describeRedis(b.url)}`
    : b.defaultDir
      ? 'berth commands in other terminals find it, and its password, by default.'
      : `In other terminals: export BERTH_STATE_DIR=${b.stateDir}  (the socket and its password file are there)`;
  const rootfs = b.rootfs ?? '/path/to/rootfs';
  return [
    `berth is up: node "${b.node}" (${b.runtime}), ${where}`,
    others,
    'Try:',
    `  berth run -d --name hello --rootfs ${rootfs} sh -c 'echo hello; sleep 1000'`,
    '  berth ps',
    '  berth logs hello',
    '  berth stop hello && berth rm hello',
    'Ctrl-C stops the worker and Redis; containers keep running.',
  ];
}

export function registerUp(program: Command, inv: Invocation): void {
  const cmd = program
    .command('up')
    .summary('Run Berth on this machine: a private Redis and a worker')
    .description(
      "Run Berth on this machine in the foreground. Without --redis, start the embedded default: a private redis-server on a unix socket in the state dir (append-only file on), then a worker for this node, and the inspector (http://127.0.0.1:7777, see `berth inspector`; --no-inspector to skip it). berth commands in other terminals find it through the state dir. Ctrl-C (SIGINT) or SIGTERM stops the inspector and the worker, then Redis; containers keep running.",
    );
  workerFlags(cmd, "this node's name (default: the hostname)");
  upInspectorFlags(cmd);
  withGlobalOptions(cmd, ['redis', 'stateDir', 'logLevel']);
  cmd.action(async (flags: WorkerFlags & UpInspectorFlags, self: Command) => {
    let redis: EmbeddedRedis | undefined;
    let started: NodeWorker | undefined;
    let inspector: Inspector | undefined;
    try {
      const checked = checkWorkerFlags(flags);
      const inspectorFlags = checkUpInspectorFlags(flags, inv.env);
      const globals = inv.globals(self);
      const target = inv.redis(self);
      const node = checked.node ?? sanitizeNodeName(hostname());
      const signalled = untilSignal();
      await mkdir(target.stateDir, { recursive: true, mode: 0o700 });
      if (target.embedded) redis = await startEmbeddedRedis({ dir: target.stateDir });
      const url = redis?.url ?? target.url;
      started = await startNodeWorker({
        redis: url,
        node,
        stateDir: target.stateDir,
        concurrency: checked.concurrency,
        logMaxLines: checked.logMaxLines,
        artifactMaxBytes: checked.artifactMaxBytes,
        ...(checked.rootfsRoots === undefined ? {} : { rootfsRoots: checked.rootfsRoots }),
        ...(checked.metricsPort === undefined ? {} : { metricsPort: checked.metricsPort, ...(checked.metricsHost === undefined ? {} : { metricsHost: checked.metricsHost }) }),
        ...(flags.runtime === undefined ? {} : { runtime: flags.runtime }),
        ...(flags.runtimeRoot === undefined ? {} : { runtimeRoot: flags.runtimeRoot }),
        ...(globals.logLevel === undefined ? {} : { logLevel: globals.logLevel }),
      });
      const rootfs = await ensureBusyboxRootfs(join(target.stateDir, 'rootfs', 'busybox')).catch((err: unknown) => {
        started?.log.warn({ err }, 'no busybox rootfs to try things with');
        return undefined;
      });
      const served = inspectorFlags ? await startUpInspector(inspectorFlags, url, started.log) : undefined;
      inspector = served?.inspector;
      const banner = { node, url, embedded: redis !== undefined, stateDir: target.stateDir, rootfs, runtime: started.runtime };
      const lines = bannerLines({ ...banner, defaultDir: target.stateDir === defaultStateDir(inv.env) });
      // the inspector's lines go before the last one ("Ctrl-C …")
      for (const line of [...lines.slice(0, -1), ...(served?.lines ?? []), ...lines.slice(-1)]) inv.print(line);

      const ended = await Promise.race([
        signalled.then((signal) => ({ signal, redisExit: undefined })),
        ...(redis ? [redis.exited.then((redisExit) => ({ signal: undefined, redisExit }))] : []),
      ]);
      if (ended.redisExit) {
        const how = ended.redisExit.signal ?? `exit code ${String(ended.redisExit.exitCode)}`;
        throw new BerthError('EUNAVAIL', `the embedded redis-server exited unexpectedly (${how})`);
      }
      started.log.info({ signal: ended.signal }, 'stopping');
    } catch (err) {
      inv.fail(err, { command: 'up' });
    } finally {
      await inspector?.close();
      await started?.worker.close();
      await redis?.stop();
    }
  });
}
