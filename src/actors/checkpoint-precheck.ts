/**
 * Checkpoint and restore need CRIU on the container's node. Where `criu check` fails (here: CRIU
 * 3.17 cannot read the kernel's vDSO) both are refused before the container is touched: no step,
 * no history, the state as it was; exit 125 with "checkpoint is not supported on this host:
 * <criu's first error line>". The runtime asks CRIU once (its answer is the host's).
 */
import { BerthError } from '../errors.js';
import type { OciRuntime } from '../oci/types.js';

const NEEDS_CRIU: ReadonlySet<string> = new Set(['checkpoint', 'restore']);

/** The refusal of `command` on this node for want of CRIU; null when it may go on. */
export async function criuRefusal(runtime: OciRuntime, command: string, container: string): Promise<BerthError | null> {
  if (!NEEDS_CRIU.has(command)) return null;
  const why = await runtime.checkpointSupport();
  return why === null ? null : new BerthError('EUNSUPPORTED', `checkpoint is not supported on this host: ${why}`, { container, command });
}
