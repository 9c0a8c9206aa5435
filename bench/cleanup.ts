/**
 * What a part created, undone in reverse order whatever happens: `scope.defer(fn)` registers an
 * undo step, `scope.close()` runs them all (each once, errors logged, never thrown). Every open
 * scope is also closed on SIGINT/SIGTERM before the process exits, so an interrupted run leaves no
 * runc container, podman container, redis-server, worker or temp dir behind.
 */

type Undo = { what: string; fn: () => Promise<unknown> | unknown };

const open = new Set<Scope>();
let handlersInstalled = false;

export class Scope {
  private readonly undo: Undo[] = [];
  private closing: Promise<void> | undefined;

  constructor(readonly name: string) {
    open.add(this);
    installHandlers();
  }

  /** Registers an undo step; returns a function that runs it now (and not again later). */
  defer(what: string, fn: () => Promise<unknown> | unknown): () => Promise<void> {
    const entry: Undo = { what, fn };
    this.undo.push(entry);
    return async () => {
      const i = this.undo.indexOf(entry);
      if (i < 0) return;
      this.undo.splice(i, 1);
      await runOne(this.name, entry);
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.undo.length > 0) await runOne(this.name, this.undo.pop()!);
      open.delete(this);
    })();
    return this.closing;
  }
}

async function runOne(scope: string, u: Undo): Promise<void> {
  try {
    await u.fn();
  } catch (err) {
    console.error(`bench: cleanup of ${u.what} (${scope}) failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Runs `fn` with a fresh scope that is always closed afterwards. */
export async function withScope<T>(name: string, fn: (scope: Scope) => Promise<T>): Promise<T> {
  const scope = new Scope(name);
  try {
    return await fn(scope);
  } finally {
    await scope.close();
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`bench: ${signal}, cleaning up…`);
      void (async () => {
        for (const s of [...open].reverse()) await s.close(); // innermost first
      })().finally(() => process.exit(130));
    });
  }
}
