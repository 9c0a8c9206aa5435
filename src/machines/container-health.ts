/**
 * Health checks (libpod's healthcheck.go, shared/LIFECYCLE.md §4.2) in the container machine,
 * all in `running` (its entry sets the probe timer, its exit cancels it: a paused, stopping or
 * stopped container is not probed). The durable timer `health` (timer.health) asks for a probe
 * (the `requestProbe` effect: the node's worker runs it beside the mailbox, killing it at the
 * timeout) and sets itself again at timeout + interval, should the result be lost; the result
 * comes back as the Berth-only `health` command, which records it, sets the next probe one
 * interval on, and when it leaves the container unhealthy runs --health-on-failure: kill
 * (SIGKILL), stop (the stop signal, SIGKILL after the stop timeout) or restart (a stop, then a
 * start, as the machine's restart). A user's `healthcheck` command asks for a probe at once.
 * Pure: xstate only.
 */
import { and } from 'xstate';

/** The effect; the host reads the run and the probe's number from the context it leaves. */
const probe = 'requestProbe';

/** The transitions of `running` for health checks. */
export const healthOnRunning = {
  'timer.health': { guard: and(['isThisRun', 'hasHealthcheck']), actions: ['countProbe', probe, 'armWatchdog'] },
  'cmd.healthcheck': { guard: 'hasHealthcheck', actions: ['countProbe', probe] },
  'cmd.health': [
    { guard: and(['isThisRun', 'unhealthyKill']), target: '.killing', actions: ['recordHealth', 'disarmHealth', 'healthKill'] },
    { guard: and(['isThisRun', 'unhealthyStop']), target: '#container.stopping', actions: ['recordHealth', 'beginStop'] },
    { guard: and(['isThisRun', 'unhealthyRestart']), target: '#container.stopping', actions: ['recordHealth', 'beginStop', 'healthRestart'] },
    { guard: and(['isThisRun', 'hasHealthcheck']), actions: ['recordHealth', 'armHealth'] },
  ],
} as const;
