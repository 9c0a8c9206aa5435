/**
 * cli: the `berth` command (main.ts), one file per verb or small group of verbs in commands/,
 * shared pieces: the global options and Redis resolution (context.ts), flag validation
 * (flags.ts), what gets printed (output.ts; ps: ps-format.ts; Go templates: template.ts), the embedded redis-server of `berth up`
 * (embedded-redis.ts) and the statechart as Mermaid (graph.ts).
 */
export { main, buildProgram } from './main.js';
export {
  Invocation,
  CLI_CONNECT_TIMEOUT_MS,
  SOCKET_NAME,
  defaultStateDir,
  embeddedRedisUrl,
  globalsOf,
  resolveRedis,
  resolveStateDir,
} from './context.js';
export type { Env, GlobalOptions, Io, RedisTarget } from './context.js';
export { startEmbeddedRedis, embeddedRedisArgs, probeRedis, DEFAULT_EMBEDDED_REDIS_OPTIONS } from './embedded-redis.js';
export type { EmbeddedRedis, EmbeddedRedisOptions } from './embedded-redis.js';
export { mermaidOf } from './graph.js';
export { errorLine, exitCodeOf, formatStatus, formatHistoryTable, formatNodeTable, humanDuration } from './output.js';
export type { ErrorContext } from './output.js';
export { formatPs, formatPsTable, psEntry, psRow, PS_TABLE } from './ps-format.js';
export type { PsEntry } from './ps-format.js';
export { compileTemplate, renderRows, renderTemplate } from './template.js';
export type { CompiledTemplate, TemplateOptions } from './template.js';
