/**
 * Linux signal names and numbers, as runc's and crun's `kill` accept them. Input may be "TERM",
 * "SIGTERM", "sigterm" or "15"; the result is always the canonical `{ name: 'SIGTERM', number: 15 }`.
 * The table is fixed (Linux x86-64/arm64 numbering), not taken from the host Node runs on.
 */
import { BerthError } from './errors.js';

export interface Signal {
  /** Canonical name with the SIG prefix, e.g. SIGTERM. */
  name: string;
  number: number;
}

/** Canonical names by number; aliases below map to the same numbers. */
export const SIGNALS: Readonly<Record<string, number>> = Object.freeze({
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
});

const ALIASES: Readonly<Record<string, string>> = Object.freeze({
  SIGIOT: 'SIGABRT',
  SIGPOLL: 'SIGIO',
  SIGCLD: 'SIGCHLD',
});

const BY_NUMBER = new Map(Object.entries(SIGNALS).map(([name, n]) => [n, name]));

/** Parses a signal name or number; BerthError EINVAL `unknown signal "X"` otherwise. */
export function parseSignal(input: string): Signal {
  const raw = input.trim();
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    const name = BY_NUMBER.get(n);
    if (name !== undefined) return { name, number: n };
  } else if (/^[A-Za-z0-9]+$/.test(raw)) {
    const upper = raw.toUpperCase();
    const prefixed = upper.startsWith('SIG') ? upper : `SIG${upper}`;
    const name = ALIASES[prefixed] ?? prefixed;
    const n = SIGNALS[name];
    if (n !== undefined) return { name, number: n };
  }
  throw new BerthError('EINVAL', `unknown signal "${input}"`);
}
