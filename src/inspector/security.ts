/**
 * The inspector's boundary: security headers on every response, the Host check (a DNS-rebound
 * name is refused), and the two conditions every mutating request must meet: a same-origin
 * request (Origin / Sec-Fetch-Site) and the bearer token. Refusals here are HTTP-level, not
 * BerthErrors: they happen before any Berth operation is attempted.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** No external source of any kind: the page is one script and one stylesheet from this server. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=()',
});

/**
 * The closed set of refusals at the HTTP edge, before any Berth operation, and their statuses.
 * (Errors of Berth itself map through HTTP_STATUSES in src/errors.ts.)
 */
export const REFUSALS = Object.freeze({
  EAUTH: 401,
  EORIGIN: 403,
  EHOST: 403,
  ENOENDPOINT: 404,
  EMETHOD: 405,
});
export type RefusalCode = keyof typeof REFUSALS;

export interface Refusal {
  code: RefusalCode;
  message: string;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Host header values this server answers to; null when bound to every interface. */
export function allowedHosts(host: string, port: number): Set<string> | null {
  if (WILDCARDS.has(host)) return null;
  const names = LOOPBACK.has(host) ? [...LOOPBACK] : [host];
  return new Set(names.map((n) => (n.includes(':') ? `[${n}]:${port}` : `${n}:${port}`)));
}

export function checkHost(req: IncomingMessage, allowed: Set<string> | null): Refusal | null {
  if (allowed === null) return null;
  const host = (req.headers.host ?? '').toLowerCase();
  if (allowed.has(host)) return null;
  return { code: 'EHOST', message: `host ${JSON.stringify(host)} is not served here; use ${[...allowed][0] ?? ''}` };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function tokenMatches(authorization: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m !== null && timingSafeEqual(digest(m[1] ?? ''), digest(token));
}

/**
 * A mutating request must come from this origin (browsers always send Origin on POST; a request
 * from a non-browser client has neither header) and carry `Authorization: Bearer <token>`.
 */
export function checkMutation(req: IncomingMessage, token: string): Refusal | null {
  const origin = header(req, 'origin');
  const site = header(req, 'sec-fetch-site');
  const self = `http://${header(req, 'host') ?? ''}`;
  if (origin !== undefined && origin !== self) {
    return { code: 'EORIGIN', message: `cross-origin request from ${origin} refused` };
  }
  if (site !== undefined && site !== 'same-origin') {
    return { code: 'EORIGIN', message: `cross-site request (Sec-Fetch-Site: ${site}) refused` };
  }
  if (header(req, 'authorization') === undefined) {
    return { code: 'EAUTH', message: 'this request needs the inspector token: Authorization: Bearer <token>' };
  }
  if (!tokenMatches(header(req, 'authorization'), token)) {
    return { code: 'EAUTH', message: 'wrong inspector token' };
  }
  return null;
}
