/**
 * `berth mount` / `unmount` (the seed's Mount and Unmount(force), shared/LIFECYCLE.md §2.9) in
 * the container machine: commands of the one table, applied under the container's lease in
 * mailbox order. The count of mounts is the context's `mounts`; the overlay itself is mounted
 * while the runtime holds the container (init mounts it, cleanup releases it unless a mount is
 * counted) or while a mount is counted.
 *   - mount: no state check but removing (and removed, unknown): out of the runtime (configured,
 *     exited) ociMount mounts the overlay when it is not (idempotent), then counts; where the
 *     runtime holds it (created, running, paused, stopping, stopped) it only counts.
 *   - unmount: refused while running or paused, or with exec sessions (the refusal's words are
 *     actors/refusal.ts's); out of the runtime it drops one mount, and the last one (or `force`)
 *     unmounts (ociUnmount, idempotent: nothing mounted, nothing to do); where the runtime holds
 *     it, it drops a counted mount, and with none left it is "still in use" unless forced.
 * Pure: xstate only.
 */
import { and, or, stateIn } from 'xstate';
import { containerSetup } from './container-setup.js';

/** `mounting`, a child of configured and exited: the overlay mounted, then the mount counted. */
export const mounting = containerSetup.createStateConfig({
  invoke: {
    id: 'mount',
    src: 'ociMount',
    input: {},
    onDone: { target: 'idle', actions: 'countMount' },
    onError: { target: 'idle', actions: 'recordError' },
  },
});

/** `unmounting`, a child of configured and exited: the last mount (or a forced unmount) unmounts. */
export const unmounting = containerSetup.createStateConfig({
  invoke: {
    id: 'unmount',
    src: 'ociUnmount',
    input: {},
    onDone: { target: 'idle', actions: 'clearMounts' },
    onError: { target: 'idle', actions: 'recordError' },
  },
});

/** The handlers of configured.idle and exited.idle (out of the runtime). */
export const mountOutOfRuntime = {
  'cmd.mount': 'mounting',
  'cmd.unmount': [{ guard: 'keepsAMount', actions: 'dropMount' }, { target: 'unmounting' }],
} as const;

/** At rest where the runtime holds the root (mounted at init); running and paused take mounts, not unmounts. */
const at = (path: string) => stateIn(`#container.${path}`);
const holds = or([at('created.idle'), at('running.idle'), at('paused.idle'), at('stopping.waiting'), at('stopping.signalled'), at('stopped.idle')]);
const unmountable = and([or([at('created.idle'), at('stopping.waiting'), at('stopping.signalled'), at('stopped.idle')]), 'noExecSessions']);

/** The root's handlers: where the runtime holds the root, mount and unmount only count. */
export const mountWhileHeld = {
  'cmd.mount': { guard: holds, actions: 'countMount' },
  'cmd.unmount': [
    { guard: and([unmountable, 'isForcedUnmount']), actions: 'clearMounts' },
    { guard: and([unmountable, 'hasMounts']), actions: 'dropMount' },
  ],
} as const;
