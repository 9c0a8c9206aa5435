/**
 * What follows the post-reboot refresh (refresh-node.ts), with the containers it reset: the one
 * place where restart policies hook in (Podman starts `always` and `unless-stopped` containers
 * again after a reboot: restart-policy work, issue 12's sibling part). The worker calls it after
 * the refresh pass, before it takes jobs. Today it only logs what was reset.
 */
import type { Logger } from '../log.js';
import type { RefreshedContainer } from './refresh-node.js';

export async function afterNodeRefresh(refreshed: readonly RefreshedContainer[], ctx: { node: string; log: Logger }): Promise<void> {
  if (refreshed.length === 0) return;
  ctx.log.warn({ node: ctx.node, containers: refreshed.map((c) => `${c.name}: ${c.from} -> ${c.to}`) }, 'containers reset after a reboot of the node');
}
