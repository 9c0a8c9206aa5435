/**
 * Inspector options: defaults first, then the caller's, then one validation beside the feature.
 * The server binds 127.0.0.1 unless told otherwise; without a token one is generated.
 */
import { randomBytes } from 'node:crypto';
import { BerthError } from '../errors.js';
import type { Logger } from '../log.js';
import { excerpt } from '../printable.js';
import { isHostEntry } from './security.js';

export interface InspectorOptions {
  /** redis://, rediss:// or unix:// URL of Berth's Redis. */
  redis: string;
  /** Berth's key prefix, a hash tag (default "{berth}"). */
  prefix?: string;
  /** Interface to bind (default 127.0.0.1: this machine only). */
  host?: string;
  /** TCP port (default 7777; 0 picks a free one). */
  port?: number;
  /** Bearer token for mutating requests; generated when absent. */
  token?: string;
  log: Logger;
  /** Relay inspection events to Stately's inspector: true for ws://localhost:8080, or a ws:// URL. */
  stately?: boolean | string;
  /** How long a command request waits for its result before answering 202 (default 15 000 ms). */
  commandWaitMs?: number;
  /**
   * Host names (or `name:port`) the server answers to besides its own: the Host check stays on
   * when it binds beyond loopback. `*` turns the check off (no defence against DNS rebinding).
   */
  allowedHosts?: readonly string[];
  /** Event streams (GET /api/events) open at once; one more is refused with 503 (default 64). */
  maxEventStreams?: number;
}

export const DEFAULT_INSPECTOR_OPTIONS = Object.freeze({
  prefix: '{berth}',
  host: '127.0.0.1',
  port: 7777,
  commandWaitMs: 15_000,
  allowedHosts: Object.freeze([]) as readonly string[],
  maxEventStreams: 64,
});

/** The most event streams one inspector may be told to keep open. */
export const MAX_EVENT_STREAMS_LIMIT = 10_000;

export const DEFAULT_STATELY_URL = 'ws://localhost:8080';

export interface ResolvedInspectorOptions {
  redis: string;
  prefix: string;
  host: string;
  port: number;
  token: string;
  /** The token was generated here (print it). */
  generated: boolean;
  log: Logger;
  stately: string | null;
  commandWaitMs: number;
  allowedHosts: readonly string[];
  maxEventStreams: number;
}

const TOKEN = /^[\x21-\x7e]{8,512}$/;

function describe(value: unknown): string {
  return `${excerpt(JSON.stringify(value) ?? String(value))} (${typeof value})`;
}

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

export function validateInspectorOptions(options: InspectorOptions): ResolvedInspectorOptions {
  const o = { ...DEFAULT_INSPECTOR_OPTIONS, ...options };
  if (typeof o.redis !== 'string' || o.redis === '') {
    throw new BerthError('EINVAL', `\`redis\` must be a redis://, rediss:// or unix:// URL, got ${describe(o.redis)}`);
  }
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65_535) {
    throw new BerthError('EINVAL', `\`port\` must be an integer from 0 to 65535, got ${describe(o.port)}`);
  }
  if (typeof o.host !== 'string' || !/^[A-Za-z0-9.:_-]+$/.test(o.host)) {
    throw new BerthError('EINVAL', `\`host\` must be an address or host name like 127.0.0.1, got ${describe(o.host)}`);
  }
  if (o.token !== undefined && (typeof o.token !== 'string' || !TOKEN.test(o.token))) {
    throw new BerthError('EINVAL', '`token` must be 8 to 512 printable characters without spaces');
  }
  if (!Number.isInteger(o.commandWaitMs) || o.commandWaitMs <= 0) {
    throw new BerthError('EINVAL', `\`commandWaitMs\` must be a positive integer, got ${describe(o.commandWaitMs)}`);
  }
  if (!Array.isArray(o.allowedHosts) || !o.allowedHosts.every((h) => typeof h === 'string' && isHostEntry(h))) {
    throw new BerthError('EINVAL', `\`allowedHosts\` must be host names or addresses, each optionally with :port, or "*", got ${describe(o.allowedHosts)}`);
  }
  if (!Number.isInteger(o.maxEventStreams) || o.maxEventStreams < 1 || o.maxEventStreams > MAX_EVENT_STREAMS_LIMIT) {
    throw new BerthError('EINVAL', `\`maxEventStreams\` must be an integer from 1 to ${MAX_EVENT_STREAMS_LIMIT}, got ${describe(o.maxEventStreams)}`);
  }
  let stately: string | null = null;
  if (o.stately === true) stately = DEFAULT_STATELY_URL;
  else if (typeof o.stately === 'string') {
    if (!/^wss?:\/\/\S+$/.test(o.stately)) {
      throw new BerthError('EINVAL', `\`stately\` must be true or a ws:// URL, got ${describe(o.stately)}`);
    }
    stately = o.stately;
  }
  return {
    redis: o.redis,
    prefix: o.prefix,
    host: o.host,
    port: o.port,
    token: o.token ?? generateToken(),
    generated: o.token === undefined,
    log: o.log,
    stately,
    commandWaitMs: o.commandWaitMs,
    allowedHosts: [...o.allowedHosts],
    maxEventStreams: o.maxEventStreams,
  };
}
