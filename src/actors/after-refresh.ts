/**
 * Reports what the post-reboot refresh (refresh-node.ts) reset, one warning for the node. The
 * worker calls it after the refresh pass; the reconcile that follows (reconcile-node.ts) brings
 * back the `always` and `unless-stopped` containers among them, as Podman does after a reboot
 * (test/e2e/refresh.test.ts).
 */
import type { Logger } from '../log.js';
import type { RefreshedContainer } from './refresh-node.js';

export async function afterNodeRefresh(refreshed: readonly RefreshedContainer[], ctx: { node: string; log: Logger }): Promise<void> {
  if (refreshed.length === 0) return;
  ctx.log.warn({ node: ctx.node, containers: refreshed.map((c) => `${c.name}: ${c.from} -> ${c.to}`) }, 'containers reset after a reboot of the node');
}
