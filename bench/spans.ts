/**
 * Spans the bench worker (worker.ts) records: one per runtime call, and one per exit its monitor
 * reports. They split a Berth command's latency into time in runtime calls and everything else.
 */

/** One runtime call (`call`: create, start, kill, …) or one exit seen (`call: 'exit'`, t0 = exit file ctime). */
export interface Span {
  id: string;
  call: string;
  t0: number;
  t1: number;
  ok: boolean;
}

export interface Window {
  id: string;
  t0: number;
  t1: number;
}

/**
 * Time the worker spent in runtime calls for the window's container during the window, plus, once
 * it sent SIGKILL, the wait for the process to exit (kill → exit file seen): runc's and conmon's
 * time, not Berth's. Also names the calls.
 */
export function runtimeTime(spans: readonly Span[], w: Window): { ms: number; names: string[] } {
  const mine = spans.filter((s) => s.id === w.id && s.t0 >= w.t0 - 1 && s.t1 <= w.t1 + 1);
  let ms = 0;
  const names: string[] = [];
  for (const s of mine) {
    if (s.call === 'exit') continue;
    ms += s.t1 - s.t0;
    names.push(s.call);
  }
  const exit = mine.find((s) => s.call === 'exit');
  if (exit) {
    const lastKill = mine.filter((s) => s.call === 'kill' && s.t1 <= exit.t1).at(-1);
    if (lastKill) ms += Math.max(0, exit.t1 - lastKill.t1);
    names.push('(exit)');
  }
  return { ms, names };
}
