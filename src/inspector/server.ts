/**
 * `startInspector`: the inspector's HTTP server on node:http (a dozen routes need no framework).
 * It serves the offline page, the JSON API and the SSE stream, fed by the store's one events
 * stream (EventFeed). Every request passes the Host check and gets the security headers; every
 * mutating request must be same-origin and carry the bearer token; a read without the token sees
 * no Env values (env-redaction.ts). At most `maxEventStreams` event streams are open at once.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Berth, type BerthClient } from '../queue/client.js';
import { BerthError } from '../errors.js';
import * as api from './api.js';
import { loadAssets, type Asset } from './assets.js';
import { containerChart } from './chart.js';
import { readJson, sendError, sendJson, sendRefusal } from './http.js';
import { frameOf, LiveHub } from './live.js';
import { validateInspectorOptions, type InspectorOptions } from './options.js';
import { QueueWatch, type QueueView } from './queues.js';
import { redactInspect } from './env-redaction.js';
import { allowedHosts, checkHost, checkMutation, checkRead, SECURITY_HEADERS } from './security.js';
import { serveEvents } from './sse.js';
import { startStatelyRelay, type StatelyRelay } from './stately.js';

export interface Inspector {
  /** http://host:port/ */
  url: string;
  token: string;
  close(): Promise<void>;
}

/** Nodes are live while their heartbeat key lives (a TTL): re-read on this beat while a page is open. */
export const NODES_REFRESH_MS = 2000;

type Params = string[];
interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** POST routes: same-origin and token required. `reveal`: the request carried the token (Env values shown). */
  handle(req: IncomingMessage, res: ServerResponse, params: Params, url: URL, reveal: boolean): Promise<void>;
}

/** The documented endpoints, also served at GET /api. */
export const ENDPOINTS = [
  'GET /api/chart',
  'GET /api/containers',
  'GET /api/containers/:name',
  'GET /api/containers/:name/history',
  'GET /api/nodes',
  'GET /api/queues',
  'GET /api/events (text/event-stream; ?since=<cursor> or Last-Event-ID)',
  'POST /api/containers/:name/:command',
  'POST /api/queues/:node/jobs/:id/retry',
] as const;

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new BerthError('EINVAL', `malformed URL component ${JSON.stringify(part)}`);
  }
}

export async function startInspector(options: InspectorOptions): Promise<Inspector> {
  const o = validateInspectorOptions(options);
  const log = o.log.child({ component: 'inspector' });
  const assets: Map<string, Asset> = await loadAssets();
  const client: BerthClient = await Berth.connect({ redis: o.redis, prefix: o.prefix });
  const redis = client.store.redis;
  const feed = client.eventFeed();
  const hub = await LiveHub.start(feed, redis, client.keys, log);
  const queues = new QueueWatch(redis, client.keys, log, (view: QueueView) => hub.broadcast('queues', view));
  const ctx: api.ApiContext = { client, queues, log, commandWaitMs: o.commandWaitMs };
  let stately: StatelyRelay | undefined;
  if (o.stately) stately = await startStatelyRelay({ url: o.stately, feed, log });

  let lastNodes = '';
  const refreshNodes = async (): Promise<string[]> => {
    const views = await api.listQueues(ctx);
    const nodes = await api.listNodes(ctx, views);
    for (const n of nodes) queues.watch(n.name);
    lastNodes = JSON.stringify(nodes);
    return [frameOf('nodes', nodes), ...views.map((v) => frameOf('queues', v))];
  };
  const nodesTick = setInterval(() => {
    if (hub.clients === 0) return;
    api.listNodes(ctx).then(
      (nodes) => {
        const text = JSON.stringify(nodes);
        if (text === lastNodes) return;
        lastNodes = text;
        for (const n of nodes) queues.watch(n.name);
        hub.broadcast('nodes', nodes);
      },
      (err: unknown) => log.warn({ err }, 'inspector: reading nodes failed'),
    );
  }, NODES_REFRESH_MS);

  let openStreams = 0;
  const routes: Route[] = [
    { method: 'GET', pattern: /^\/api$/, handle: async (_q, res) => sendJson(res, 200, { endpoints: ENDPOINTS }) },
    { method: 'GET', pattern: /^\/api\/chart$/, handle: async (_q, res) => sendJson(res, 200, containerChart()) },
    {
      method: 'GET',
      pattern: /^\/api\/containers$/,
      handle: async (_q, res, _p, _u, reveal) => {
        const list = await api.listContainers(ctx);
        sendJson(res, 200, reveal ? list : { ...list, containers: list.containers.map(redactInspect) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/containers\/([^/]+)$/,
      handle: async (_q, res, [name = ''], _u, reveal) => {
        const detail = await api.getContainer(ctx, decode(name));
        sendJson(res, 200, reveal ? detail : { ...detail, container: redactInspect(detail.container) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/containers\/([^/]+)\/history$/,
      handle: async (_q, res, [name = '']) => sendJson(res, 200, await api.getHistory(ctx, decode(name))),
    },
    { method: 'GET', pattern: /^\/api\/nodes$/, handle: async (_q, res) => sendJson(res, 200, { nodes: await api.listNodes(ctx) }) },
    { method: 'GET', pattern: /^\/api\/queues$/, handle: async (_q, res) => sendJson(res, 200, { queues: await api.listQueues(ctx) }) },
    {
      method: 'GET',
      pattern: /^\/api\/events$/,
      handle: async (req, res, _p, url, reveal) => {
        // counted before the first await, so concurrent requests cannot all slip under the cap
        if (openStreams >= o.maxEventStreams) {
          res.setHeader('Retry-After', '5');
          return sendRefusal(res, {
            code: 'EBUSY',
            message: `too many event streams open (${o.maxEventStreams}, the --max-event-streams limit): close a page, or raise the limit`,
          });
        }
        openStreams += 1;
        res.once('close', () => (openStreams -= 1));
        await serveEvents(req, res, url, { hub, feed, redis, keys: client.keys, greeting: refreshNodes, reveal });
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/containers\/([^/]+)\/([^/]+)$/,
      handle: async (req, res, [name = '', command = '']) => {
        const outcome = await api.runCommand(ctx, decode(name), decode(command), await readJson(req));
        sendJson(res, outcome.pending ? 202 : 200, outcome);
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/queues\/([^/]+)\/jobs\/([^/]+)\/retry$/,
      handle: async (req, res, [node = '', id = '']) => {
        await readJson(req);
        sendJson(res, 200, { job: await api.retryJob(ctx, decode(node), decode(id)) });
      },
    },
  ];

  let hosts: Set<string> | null = null;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const refusedHost = checkHost(req, hosts);
    if (refusedHost) return sendRefusal(res, refusedHost);
    const url = new URL(req.url ?? '/', 'http://inspector.invalid');
    const file = assets.get(url.pathname);
    if (file && (req.method === 'GET' || req.method === 'HEAD')) {
      if (req.headers['if-none-match'] === file.etag) {
        res.writeHead(304, { ETag: file.etag });
        return void res.end();
      }
      res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': String(file.body.length), ETag: file.etag, 'Cache-Control': 'no-cache' });
      return void res.end(req.method === 'HEAD' ? undefined : file.body);
    }
    const matching = routes.map((r) => ({ r, m: r.pattern.exec(url.pathname) })).filter((x) => x.m !== null);
    const hit = matching.find((x) => x.r.method === req.method);
    if (!hit) {
      if (matching.length > 0) {
        res.setHeader('Allow', [...new Set(matching.map((x) => x.r.method))].join(', '));
        return sendRefusal(res, { code: 'EMETHOD', message: `${req.method ?? ''} is not allowed on ${url.pathname}` });
      }
      return sendRefusal(res, { code: 'ENOENDPOINT', message: `no such endpoint ${url.pathname}; see GET /api` });
    }
    let reveal = true;
    if (hit.r.method === 'POST') {
      const refused = checkMutation(req, o.token);
      if (refused) {
        req.resume();
        return sendRefusal(res, refused);
      }
    } else {
      const access = checkRead(req, o.token);
      if ('code' in access) return sendRefusal(res, access);
      reveal = access.reveal;
    }
    await hit.r.handle(req, res, (hit.m ?? []).slice(1), url, reveal);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendError(res, err, log));
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new BerthError('EUNAVAIL', `port ${o.port} on ${o.host} is in use: pick another with --port`, { cause: err })
          : err,
      ),
    );
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  hosts = allowedHosts(o.host, port, o.allowedHosts);
  const shown = o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `http://${shown === '0.0.0.0' || shown === '[::]' ? '127.0.0.1' : shown}:${port}/`;
  log.info({ url, stately: o.stately, allowedHosts: hosts === null ? 'any' : [...hosts] }, 'inspector listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    token: o.token,
    close() {
      closing ??= (async () => {
        clearInterval(nodesTick);
        hub.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await stately?.close().catch(() => undefined);
        await queues.close().catch(() => undefined);
        await client.close().catch(() => undefined);
      })();
      return closing;
    },
  };
}
