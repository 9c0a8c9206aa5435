/**
 * `sync` (libpod's Sync, shared/LIFECYCLE.md §2.15): the `syncing` child of every state whose
 * process runc may have changed behind Berth's back. It reads `runc state` (the ociSync call; its
 * output's `observed` is what the guards branch on) and believes it:
 *   - the process is gone (runc says stopped, or no longer knows the container): stopped, with
 *     the exit conmon recorded for this run or -1 and State.Error (recordExit), and the usual
 *     cleanup request on entering stopped; a restart's stop goes on to start again, as on an exit;
 *   - runc says running, paused or created where Berth believed otherwise: that state;
 *   - anything else (the same state, `creating`): back to where it was, the command succeeds.
 * A stop in progress is left to end as stops end: a sync only settles it when the process is gone.
 * The exit monitor reports the same exit too; whichever comes second finds the run ended and
 * changes nothing (isCurrentRun / the states that no longer take an exit). Pure: xstate only.
 */
import { and } from 'xstate';
import { containerSetup } from './container-setup.js';

/** The states a sync applies in; `unknown` is Berth's "its node was lost", which a sync resolves. */
export type SyncedFrom = 'created' | 'running' | 'paused' | 'stopping' | 'unknown';

const toRunning = { guard: 'observedRunning', target: '#container.running' } as const;
const toPaused = { guard: 'observedPaused', target: '#container.paused' } as const;
const toCreated = { guard: 'observedCreated', target: '#container.created' } as const;

/** The `syncing` child of `from`; `rest` is the sibling it returns to when nothing changed. */
export function syncing(from: SyncedFrom, rest: 'idle' | 'signalled' = 'idle') {
  const gone =
    from === 'stopping'
      ? [
          { guard: and(['observedGone', 'isRestarting']), target: '#container.stopped.cleaning', actions: ['recordExit', 'wantStart'] } as const,
          { guard: 'observedGone', target: '#container.stopped', actions: 'recordExit' } as const,
        ]
      : [{ guard: 'observedGone', target: '#container.stopped', actions: 'recordExit' } as const];
  const live =
    from === 'stopping'
      ? []
      : [
          // a container runc has started behind Berth's back starts now, as far as Berth can tell
          ...(from === 'running' ? [] : [from === 'created' ? ({ ...toRunning, actions: 'started' } as const) : toRunning]),
          ...(from === 'paused' ? [] : [toPaused]),
          ...(from === 'created' ? [] : [toCreated]),
        ];
  return containerSetup.createStateConfig({
    invoke: {
      id: 'sync',
      src: 'ociSync',
      // the exit it may find must be this run's
      input: ({ context }) => ({ run: context.run }),
      onDone: [...gone, ...live, { target: rest }],
      onError: { target: rest, actions: 'recordError' },
    },
  });
}
