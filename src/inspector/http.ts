/**
 * Small HTTP helpers on node:http: JSON responses, errors mapped to statuses only through
 * HTTP_STATUSES (src/errors.ts), refusals through REFUSALS, and a bounded JSON body reader.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BerthError, HTTP_STATUSES, toBerthError } from '../errors.js';
import type { Logger } from '../log.js';
import { REFUSALS, type Refusal } from './security.js';

export const MAX_BODY_BYTES = 16 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** A BerthError (or anything thrown, wrapped as one) as `{ error: { code, message, … } }`. */
export function sendError(res: ServerResponse, err: unknown, log: Logger): void {
  const e = toBerthError(err);
  const status = HTTP_STATUSES[e.code];
  if (status >= 500) log.error({ err }, 'inspector request failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (status === 304) {
    // "already so": stop of a stopped container, start of a running one; 304 has no body
    res.writeHead(304, { 'Cache-Control': 'no-store', 'X-Berth-Error': e.code });
    res.end();
    return;
  }
  sendJson(res, status, { error: e.toJSON() });
}

export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  const headers: Record<string, string> = refusal.code === 'EAUTH' ? { 'WWW-Authenticate': 'Bearer realm="berth-inspector"' } : {};
  sendJson(res, REFUSALS[refusal.code], { error: refusal }, headers);
}

/** The request body as JSON; an empty body is `{}`. Only application/json is accepted. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BerthError('EINVAL', `request body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new BerthError('EINVAL', `request body must be application/json, got ${JSON.stringify(type ?? '')}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BerthError('EINVAL', 'request body is not valid JSON');
  }
}
