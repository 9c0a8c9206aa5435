/**
 * The worker's metrics endpoint: `GET /metrics` answers the Prometheus text exposition (what a
 * Prometheus scrape job reads); every other path is 404 and every other method 405. It binds
 * 127.0.0.1 unless told otherwise: the numbers say what runs on the node, so exposing them is the
 * operator's choice (`--metrics-host 0.0.0.0`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BerthError } from '../errors.js';
import type { BerthMetrics } from './metrics.js';

export interface MetricsServerOptions {
  port: number;
  host?: string;
}

export const DEFAULT_METRICS_HOST = '127.0.0.1';

export function validateMetricsServerOptions(o: MetricsServerOptions): Required<MetricsServerOptions> {
  const merged = { host: DEFAULT_METRICS_HOST, ...o };
  if (!Number.isInteger(merged.port) || merged.port < 0 || merged.port > 65535) {
    throw new BerthError('EINVAL', `\`metricsPort\` must be a whole number from 0 to 65535, got ${String(merged.port)} (${typeof merged.port})`);
  }
  if (typeof merged.host !== 'string' || merged.host === '' || /\s/.test(merged.host)) {
    throw new BerthError('EINVAL', `\`metricsHost\` must be a host name or address, got ${JSON.stringify(merged.host)}`);
  }
  return merged;
}

export class MetricsServer {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    /** Where it listens (the port chosen when 0 was asked). */
    readonly address: { host: string; port: number },
  ) {}

  static async start(metrics: BerthMetrics, options: MetricsServerOptions): Promise<MetricsServer> {
    const o = validateMetricsServerOptions(options);
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/metrics') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
      if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      metrics.text().then(
        (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(req.method === 'HEAD' ? undefined : text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`could not collect the metrics: ${err instanceof Error ? err.message : String(err)}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new BerthError(err.code === 'EADDRINUSE' ? 'EEXIST' : 'EINVAL', `cannot serve metrics on ${o.host}:${o.port}: ${err.message}`, { cause: err })),
      );
      server.listen(o.port, o.host, () => resolve());
    });
    const addr = server.address() as AddressInfo;
    return new MetricsServer(server, { host: o.host, port: addr.port });
  }

  /** Stops listening and ends open connections. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }
}
