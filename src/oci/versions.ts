/**
 * What a node's runtime is, for `berth version` and `berth info` (Podman's `ociRuntime` and
 * `conmon`): each binary's path and what its `--version` prints. A binary that cannot say is
 * reported as such, never an error: the worker registers its node whatever the answer.
 */
import { execa } from 'execa';
import { resolveBinary } from './runc-options.js';

export interface BinaryVersion {
  path: string;
  /** Its `--version` output, trimmed (several lines for runc), or `unknown (<why>)`. */
  version: string;
}

export interface RuntimeDescription {
  /** The OCI runtime's base name (`runc`, `crun`). */
  name: string;
  runtime: BinaryVersion;
  /** The monitor each container runs under; null for a runtime without one. */
  conmon: BinaryVersion | null;
  /** runc --root: where the runtime keeps its state. */
  runtimeRoot: string;
  /** Berth's state dir on the node: bundles, logs, exit files. */
  stateDir: string;
}

/** How long a `--version` may take before it is reported as unknown. */
const VERSION_TIMEOUT_MS = 5000;

/** `<path> --version`, argument array, stdin closed; never throws. */
export async function binaryVersion(path: string): Promise<BinaryVersion> {
  const r = await execa(path, ['--version'], { stdin: 'ignore', reject: false, timeout: VERSION_TIMEOUT_MS, cleanup: false });
  const out = String(r.stdout).trim();
  if (r.exitCode === 0 && out !== '') return { path, version: out };
  const why = r.timedOut ? 'timed out' : String(r.stderr).trim().split('\n').pop() || r.shortMessage;
  return { path, version: `unknown (${why})` };
}

/** The first line of a version output (`runc version 1.1.5+ds1`), for one-line displays. */
export function firstLine(version: string): string {
  return version.split('\n')[0] ?? '';
}

/** Resolves both binaries (as the runtime will: PATH for a bare name) and asks each its version. */
export async function describeBinaries(name: string, o: { runtime: string; conmon: string; root: string; stateDir: string }): Promise<RuntimeDescription> {
  const ask = (what: string, bin: string) =>
    resolveBinary(what, bin).then(binaryVersion, (err: unknown) => ({ path: bin, version: `unknown (${err instanceof Error ? err.message : String(err)})` }));
  const [runtime, conmon] = await Promise.all([ask('OCI runtime', o.runtime), ask('conmon', o.conmon)]);
  return { name, runtime, conmon, runtimeRoot: o.root, stateDir: o.stateDir };
}
