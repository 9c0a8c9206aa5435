/**
 * pino, JSON by default and pretty in a terminal. Every line carries the node; container and job
 * ids are added with `child({ container, job })` (or the line's object) wherever a line concerns one.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function createLogger(opts: { level?: string; node?: string; pretty?: boolean } = {}): Logger {
  const level = (opts.level ?? process.env['BERTH_LOG_LEVEL'] ?? 'info') as LevelWithSilent;
  if (!LOG_LEVELS.includes(level)) throw new Error(`\`--log-level\` must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  const pretty = opts.pretty ?? process.stderr.isTTY === true;
  // container and job ids are bound per line (child loggers) where a line concerns one; binding
  // them here as null too would print each key twice
  const base = { node: opts.node ?? null };
  if (pretty) {
    return pino(
      { level, base },
      pino.transport({ target: 'pino-pretty', options: { destination: 2, ignore: 'pid,hostname' } }),
    );
  }
  return pino({ level, base }, pino.destination(2));
}
