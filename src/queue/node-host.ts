/**
 * What a worker registers about where it runs (NodeHost): the host, Node.js, and the runtime's
 * and conmon's paths and versions. Asked once at start; never fails the worker.
 */
import { arch, hostname, platform, release } from 'node:os';
import type { Logger } from '../log.js';
import type { OciRuntime } from '../oci/types.js';
import type { NodeHost } from '../store/nodes.js';

export async function describeHost(runtime: OciRuntime, log: Logger): Promise<NodeHost> {
  const described = await (runtime.describe?.() ?? Promise.resolve(null)).catch((err: unknown) => {
    log.warn({ err }, 'could not describe the runtime');
    return null;
  });
  return {
    hostname: hostname(),
    os: platform(),
    arch: arch(),
    kernel: release(),
    nodeVersion: process.version,
    pid: process.pid,
    runtime: described,
  };
}
