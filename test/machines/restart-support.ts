/** What the restart tests import from the machines folder, in one place. */
export { backoffDelay, events, migrateContext, RESTART_TIMER, shouldComeBack, shouldRestart } from '../../src/machines/index.js';
export type { RestartSpec } from '../../src/machines/index.js';
export { nextStreak as nextStreakForTest } from '../../src/machines/restart-policy.js';
