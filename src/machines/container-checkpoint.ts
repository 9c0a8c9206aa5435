/**
 * Checkpoint, restore (CRIU; libpod's Checkpoint/Restore, shared/LIFECYCLE.md §2.16) and the
 * post-reboot refresh (libpod's refresh after a reboot, §1), as pieces of the container machine:
 *   - `checkpointing`, a child of running: runc checkpoint; with --leave-running back to running,
 *     else the process is gone: stopped.cleaning (runc delete), ending exited, as Podman;
 *   - `restoring`, a child of configured and exited: runc restore under conmon, then running;
 *   - `refreshing`, a child of configured and exited: the node rebooted, so the runtime's state of
 *     the container is stale; the reset is committed first (created and unknown ones end
 *     configured, every other live one exited, as Podman 5's resetContainerState), then ociRefresh
 *     releases what the runtime may still hold (runc state, conmon's exit file).
 * Pure: xstate only.
 */
import { or, stateIn } from 'xstate';
import { containerSetup } from './container-setup.js';

export const checkpointing = containerSetup.createStateConfig({
  invoke: {
    id: 'checkpoint',
    src: 'ociCheckpoint',
    input: ({ event }) =>
      event.type === 'cmd.checkpoint' ? { keep: event.keep, leaveRunning: event.leaveRunning, tcpEstablished: event.tcpEstablished, export: event.export } : {},
    onDone: [
      { guard: 'leftRunning', target: 'idle', actions: 'checkpointed' },
      { target: '#container.stopped.cleaning', actions: 'checkpointed' },
    ],
    onError: { target: 'idle', actions: 'recordError' },
  },
});

export const restoring = containerSetup.createStateConfig({
  invoke: {
    id: 'restore',
    src: 'ociRestore',
    // the run it makes, as a create's: that run's exit is reported with its number
    input: ({ context, event }) => ({
      run: context.run + 1,
      ...(event.type === 'cmd.restore' ? { keep: event.keep, tcpEstablished: event.tcpEstablished, import: event.import } : {}),
    }),
    onDone: { target: '#container.running', actions: ['created', 'started', 'restored'] },
    onError: { target: 'idle', actions: 'recordError' },
  },
});

export const refreshing = containerSetup.createStateConfig({
  invoke: {
    id: 'refresh',
    src: 'ociRefresh',
    input: ({ context }) => ({ run: context.run }),
    onDone: 'idle',
    onError: { target: 'idle', actions: 'recordError' },
  },
});

/** The root's handler of `cmd.refresh`: configured and exited (and removing) take none. */
export const onRefresh = [
  { guard: or([stateIn('created'), stateIn('unknown')]), target: '.configured.refreshing', actions: 'refreshedNew' },
  {
    guard: or([stateIn('running'), stateIn('paused'), stateIn('stopping'), stateIn('stopped')]),
    target: '.exited.refreshing',
    actions: 'refreshedRan',
  },
] as const;
