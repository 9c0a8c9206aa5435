/**
 * store: Redis persistence. Container records, snapshots, mailboxes, history and leases
 * (containers.ts, records.ts), one Lua script per atomic write in ./lua, each with a pure argument
 * builder (script-args.ts) and named result codes (scripts.ts); the transition event stream
 * (events.ts; event-reads.ts for a consumer reading at its own pace), the source streams carrying containers' output (streams.ts), nodes (nodes.ts),
 * lease releases (lease-releases.ts), the job locks of a node's workers (worker-locks.ts),
 * connections (redis.ts). Keys, queue names and job ids are built only in keys.ts.
 */
export { Keys, DEFAULT_PREFIX } from './keys.js';
export type { ContainerKeys } from './keys.js';
export { ContainerStore, EVENTS_MAX_LEN, REMOVED_TTL_S } from './containers.js';
export type { CommitArgs, CreateArgs, BeginResult } from './containers.js';
export { EventFeed, compareIds } from './events.js';
export type { StreamEntry, TransitionEvent } from './events.js';
export { readEventsAfter, lastEventId, trimmedAfter } from './event-reads.js';
export type { EventBatch } from './event-reads.js';
export { SourceStreams, EMPTY_POSITION, decodeEntry } from './streams.js';
export type { AppendArgs, AppendOutcome, OutputLineArg, SourceEntry, StreamBatch, StreamEnd, StreamLine, StreamPosition } from './streams.js';
export { NodeRegistry } from './nodes.js';
export type { NodeInfo, NodeStatus } from './nodes.js';
export { connectRedis, redisOptionsFromUrl, describeRedis, DEFAULT_CONNECT_TIMEOUT_MS } from './redis.js';
export type { ConnectOptions } from './redis.js';
export type { ContainerRecord, HistoryEntry } from './records.js';
export { LeaseReleases } from './lease-releases.js';
