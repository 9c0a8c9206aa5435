/**
 * inspector: Berth's visual state inspector. An HTTP server on node:http (server.ts) serving an
 * offline page (ui/: plain TypeScript, CSS and inline SVG, bundled by esbuild; no CDN, nothing
 * fetched at runtime) and the JSON API behind it (api.ts; API.md documents it), pushed live over
 * SSE from the store's events stream with Last-Event-ID resume (live.ts, sse.ts). The statechart
 * is projected from the container machine's own definition, with the commands each state accepts
 * (chart.ts); queues are read with BullMQ's getters (queues.ts); `--stately` relays transitions
 * to Stately's inspector (stately.ts). Mutating requests need the token and the same origin
 * (security.ts); reads without the token see no Env values (env-redaction.ts); the Host check
 * stays on whatever the bind address; event streams are capped.
 */
export { startInspector, ENDPOINTS, NODES_REFRESH_MS } from './server.js';
export type { Inspector } from './server.js';
export { DEFAULT_INSPECTOR_OPTIONS, DEFAULT_STATELY_URL, MAX_EVENT_STREAMS_LIMIT, generateToken, validateInspectorOptions } from './options.js';
export type { InspectorOptions, ResolvedInspectorOptions } from './options.js';
export { containerChart, commandsFor, commandsForSnapshot, commandEvent, pathOf } from './chart.js';
export type { Chart, ChartEdge, ChartNode, CommandInfo, PositionLike } from './chart.js';
export type { CommandOutcome, ContainerDetail, ContainerHistory, ContainerList, NodeView } from './api.js';
export type { JobView, QueueView } from './queues.js';
export { ANY_HOST, CONTENT_SECURITY_POLICY, SECURITY_HEADERS, REFUSALS } from './security.js';
export type { Refusal, RefusalCode } from './security.js';
export { startStatelyRelay, inspectionOf, stateValueOf } from './stately.js';
export type { StatelyRelay } from './stately.js';
export { bundleUi, loadUi } from './assets.js';
export type { UiBundle } from './assets.js';
export { parseInspectorFlags, inspectorBannerLines, INSPECTOR_FLAG_HELP, INSPECTOR_FLAG_NAMES, UP_INSPECTOR_FLAG_NAMES, TOKEN_ENV } from './flags.js';
export type { InspectorFlagNames, InspectorFlagValues, ParsedInspectorFlags } from './flags.js';
export { hideEnvValues, redactEntry, redactEvent, redactInspect } from './env-redaction.js';
