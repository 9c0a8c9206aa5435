/**
 * The inspector's boundary: security headers on every response, the Host check (a DNS-rebound
 * name is refused, whatever interface the server binds), the two conditions every mutating
 * request must meet (a same-origin request, Origin / Sec-Fetch-Site, and the bearer token), and
 * what a read may see: Env values only with the token. Refusals here are HTTP-level, not
 * BerthErrors: they happen before any Berth operation is attempted.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { excerpt } from '../printable.js';

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
  EBUSY: 503,
});
export type RefusalCode = keyof typeof REFUSALS;

export interface Refusal {
  code: RefusalCode;
  message: string;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);
const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];
/** A host name, an IPv4 address or a bracketed IPv6 address, then an optional port. */
const HOST_ENTRY = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/** `--allowed-hosts` entries that turn the Host check off, in which case DNS rebinding is not stopped. */
export const ANY_HOST = '*';

/**
 * Host header values this server answers to, as `name:port` or `name:*` (any port); null only
 * when `extra` holds `*`. Bound to loopback or one address: its names at its port. Bound to every
 * interface: the loopback names at any port (a published container port may differ). `extra`
 * adds names (`inspector.example`: any port) or `name:port` pairs.
 */
export function allowedHosts(host: string, port: number, extra: readonly string[] = []): Set<string> | null {
  if (extra.includes(ANY_HOST)) return null;
  const bracket = (n: string) => (n.includes(':') ? `[${n}]` : n);
  const base = WILDCARDS.has(host)
    ? LOOPBACK.map((n) => `${bracket(n)}:*`)
    : (LOOPBACK.includes(host) ? LOOPBACK : [host]).map((n) => `${bracket(n)}:${port}`);
  const added = extra.map((e) => e.toLowerCase()).map((e) => (/:\d+$/.test(e) && !e.endsWith(']') ? e : `${e}:*`));
  return new Set([...base, ...added]);
}

/** Checks one `--allowed-hosts` entry: `*`, a name or address, optionally with `:port`. */
export function isHostEntry(entry: string): boolean {
  return entry === ANY_HOST || HOST_ENTRY.test(entry.toLowerCase());
}

export function checkHost(req: IncomingMessage, allowed: Set<string> | null): Refusal | null {
  if (allowed === null) return null;
  const host = (req.headers.host ?? '').toLowerCase();
  const m = /^(.*?)(?::(\d+))?$/.exec(host);
  const name = m?.[1] ?? '';
  if (allowed.has(host) || allowed.has(`${name}:*`) || (m?.[2] === undefined && allowed.has(`${name}:80`))) return null;
  const shown = [...allowed].map((h) => h.replace(/:\*$/, '')).join(', ');
  return {
    code: 'EHOST',
    message: `host ${JSON.stringify(excerpt(host, 100))} is not served here; allowed: ${shown} (add a name with --allowed-hosts)`,
  };
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
 * What a read (GET) may see. Without a token: everything but secrets, so Env values are hidden.
 * With the right token: everything. With a wrong one: refused, so a typo is not mistaken for a
 * redacted answer.
 */
export function checkRead(req: IncomingMessage, token: string): { reveal: boolean } | Refusal {
  const authorization = header(req, 'authorization');
  if (authorization === undefined) return { reveal: false };
  return tokenMatches(authorization, token) ? { reveal: true } : { code: 'EAUTH', message: 'wrong inspector token' };
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
