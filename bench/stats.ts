/** Small statistics and timing helpers shared by every part of the benchmark. */

/** Wall-clock milliseconds since the epoch, with sub-millisecond resolution (comparable across processes). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The p-th percentile (0–100) by nearest rank on the sorted samples; NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function mean(samples: readonly number[]): number {
  return samples.length === 0 ? Number.NaN : samples.reduce((a, b) => a + b, 0) / samples.length;
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    p50: round(percentile(samples, 50)),
    p99: round(percentile(samples, 99)),
    mean: round(mean(samples)),
    min: round(samples.length ? Math.min(...samples) : Number.NaN),
    max: round(samples.length ? Math.max(...samples) : Number.NaN),
  };
}

/** Two decimals: enough for milliseconds, short in JSON. */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Number.isFinite(x) ? Math.round(x * f) / f : x;
}

/** Runs `fn` and resolves to how long it took, in ms. */
export async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Runs `fn` on every item, at most `size` at a time; the first failure rejects (after the others settle). */
export async function pool<T>(items: readonly T[], size: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (failure === undefined && next < items.length) {
        const i = next++;
        try {
          await fn(items[i]!, i);
        } catch (err) {
          failure ??= err;
        }
      }
    }),
  );
  if (failure !== undefined) throw failure;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
