/**
 * Inspector test support: a stack (private Redis, worker on real runc, client) with an inspector
 * on a free port, an SSE reader for Node, and headless Chromium (Debian's, never downloaded).
 */
import { request } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../src/log.js';
import { startInspector, type Inspector, type InspectorOptions } from '../../src/inspector/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

export const SCREENSHOTS = join(process.cwd(), 'test', 'screenshots');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface InspectorStack extends Stack {
  inspector: Inspector;
  /** http://127.0.0.1:<port> without the trailing slash. */
  base: string;
}

export async function startInspectorStack(
  name: string,
  opts: { concurrency?: number; inspector?: Partial<Omit<InspectorOptions, 'redis' | 'log'>> } = {},
): Promise<InspectorStack> {
  const s = await startStack(name, opts.concurrency === undefined ? {} : { concurrency: opts.concurrency });
  const log = createLogger({ level: process.env['BERTH_TEST_LOG'] ?? 'silent', pretty: false });
  const inspector = await startInspector({ redis: s.redis.url, prefix: s.prefix, port: 0, log, commandWaitMs: 20_000, ...opts.inspector });
  return {
    ...s,
    inspector,
    base: inspector.url.replace(/\/$/, ''),
    async close() {
      await inspector.close();
      await s.close();
    },
  };
}

export function screenshotPath(file: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, file);
}

export interface SseFrame {
  id: string | undefined;
  event: string;
  data: string;
}

/** Reads an SSE response frame by frame; `next(match)` resolves with the first matching frame. */
export class SseReader {
  readonly frames: SseFrame[] = [];
  private waiters: { match: (f: SseFrame) => boolean; resolve: (f: SseFrame) => void }[] = [];
  private readonly controller = new AbortController();
  private cursor = 0;
  status = 0;

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const r = new SseReader();
    const res = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: r.controller.signal });
    r.status = res.status;
    if (res.body) void r.pump(res.body);
    return r;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const frame: SseFrame = { id: undefined, event: 'message', data: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const i = line.indexOf(':');
            const field = i < 0 ? line : line.slice(0, i);
            const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
            if (field === 'id') frame.id = value;
            else if (field === 'event') frame.event = value;
            else if (field === 'data') {
              frame.data += value;
              hasData = true;
            }
          }
          if (hasData) this.push(frame);
        }
      }
    } catch {
      // aborted
    }
  }

  private push(frame: SseFrame): void {
    this.frames.push(frame);
    for (const w of [...this.waiters]) {
      if (w.match(frame)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(frame);
      }
    }
  }

  /** The next frame (after those already taken with `next`) that matches. */
  next(match: (f: SseFrame) => boolean): Promise<SseFrame> {
    for (; this.cursor < this.frames.length; this.cursor++) {
      const f = this.frames[this.cursor]!;
      if (match(f)) {
        this.cursor++;
        return Promise.resolve(f);
      }
    }
    return new Promise((resolve) =>
      this.waiters.push({
        match,
        resolve: (f) => {
          this.cursor = this.frames.length;
          resolve(f);
        },
      }),
    );
  }

  transitions(): { streamId: string; name: string; to: string; version: number }[] {
    return this.frames
      .filter((f) => f.event === 'transition')
      .map((f) => ({ ...(JSON.parse(f.data) as { name: string; to: string; version: number }), streamId: f.id ?? '' }));
  }

  close(): void {
    this.controller.abort();
  }
}

/** fetch may not set Host: a raw request, as a DNS-rebinding page's would arrive. */
export function statusWithHost(base: string, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
