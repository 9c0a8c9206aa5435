/**
 * Two runc failures that are races with the container's own process, not errors of the call: a
 * kill that finds the process already gone ("container not running": its exit is on its way to
 * the exit monitor), and a pause whose freezer gave up while a task kept running ("unable to
 * freeze", seen with 20 containers starting at once on 2 cores), which is tried again, three
 * times in all.
 */
import { BerthError } from '../errors.js';

const isOci = (err: unknown, pattern: RegExp): boolean => err instanceof BerthError && err.code === 'EOCI' && pattern.test(err.message);

/** A kill's outcome, a process that exited meanwhile counted as signalled. */
export async function killed(call: Promise<unknown>): Promise<void> {
  await call.catch((err: unknown) => {
    if (!isOci(err, /container not running/)) throw err;
  });
}

/** A pause, tried again while the freezer gives up. */
export async function paused(call: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await call();
      return;
    } catch (err) {
      if (attempt >= 3 || !isOci(err, /unable to freeze/)) throw err;
    }
  }
}
