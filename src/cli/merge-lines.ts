/**
 * Several containers' logs as one sequence, as `logs NAME...` prints them, pull-based (one line
 * ahead per source at most): `byTime` merges finished reads by conmon's time (deterministic,
 * stable per source); `asTheyCome` interleaves follows in the order lines arrive, since a follow
 * cannot wait for every source to have a next line.
 */
import { rfc3339Nanos } from '../queue/log-time.js';

export interface Tagged<T> {
  source: number;
  item: T;
}

/** Merges by `time` (RFC 3339); ties and unreadable times keep source order. */
export async function* byTime<T extends { time: string }>(sources: readonly AsyncIterable<T>[]): AsyncGenerator<Tagged<T>> {
  const its = sources.map((s) => s[Symbol.asyncIterator]());
  const heads: Array<{ item: T; at: bigint } | null> = [];
  try {
    for (const it of its) heads.push(await pull(it));
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h && (best < 0 || h.at < heads[best]!.at)) best = i;
      }
      if (best < 0) return;
      yield { source: best, item: heads[best]!.item };
      heads[best] = await pull(its[best]!);
    }
  } finally {
    await Promise.all(its.map((it) => it.return?.()));
  }
}

async function pull<T extends { time: string }>(it: AsyncIterator<T>): Promise<{ item: T; at: bigint } | null> {
  const r = await it.next();
  return r.done ? null : { item: r.value, at: rfc3339Nanos(r.value.time) ?? 0n };
}

/** Interleaves sources as their items come; each source's own order is kept. */
export async function* asTheyCome<T>(sources: readonly AsyncIterable<T>[]): AsyncGenerator<Tagged<T>> {
  const its = sources.map((s) => s[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ source: number; r: IteratorResult<T> }>>();
  const arm = (i: number) => pending.set(i, its[i]!.next().then((r) => ({ source: i, r })));
  try {
    its.forEach((_, i) => arm(i));
    while (pending.size > 0) {
      const { source, r } = await Promise.race(pending.values());
      if (r.done) {
        pending.delete(source);
        continue;
      }
      yield { source, item: r.value };
      arm(source);
    }
  } finally {
    // not awaited: a source with a read in flight returns once that read is answered
    for (const it of its) void Promise.resolve(it.return?.()).catch(() => undefined);
  }
}
