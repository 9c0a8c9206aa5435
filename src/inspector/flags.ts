/**
 * What the CLI needs to run the inspector (`berth inspector`, and `berth up` starting it), kept
 * beside the feature so the verb stays thin: parsing the flags' raw strings (EINVAL naming the
 * flag, what was expected and the value given), the token from a flag, a file or the environment
 * (read-secret.ts), and the lines printed at start.
 */
import { BerthError } from '../errors.js';
import { quoted } from '../printable.js';
import { readSecret, type Env } from '../read-secret.js';
import { DEFAULT_INSPECTOR_OPTIONS, DEFAULT_STATELY_URL, MAX_EVENT_STREAMS_LIMIT } from './options.js';
import { isHostEntry } from './security.js';

/** The raw values commander collects for `--host`, `--port`, `--token`, `--token-file` and `--stately [url]`. */
export interface InspectorFlagValues {
  host?: string;
  port?: string;
  token?: string;
  tokenFile?: string;
  stately?: boolean | string;
  /** `--allowed-hosts`, each occurrence a comma-separated list. */
  allowedHosts?: string[];
  maxEventStreams?: string;
}

/** How the user spells each flag (`up` spells them --inspector-…). */
export interface InspectorFlagNames {
  host: string;
  port: string;
  token: string;
  tokenFile: string;
  allowedHosts: string;
  maxEventStreams: string;
}

export const INSPECTOR_FLAG_NAMES: Readonly<InspectorFlagNames> = Object.freeze({
  host: '--host',
  port: '--port',
  token: '--token',
  tokenFile: '--token-file',
  allowedHosts: '--allowed-hosts',
  maxEventStreams: '--max-event-streams',
});

/** `berth up` spells them --inspector-…. */
export const UP_INSPECTOR_FLAG_NAMES: Readonly<InspectorFlagNames> = Object.freeze({
  host: '--inspector-host',
  port: '--inspector-port',
  token: '--inspector-token',
  tokenFile: '--inspector-token-file',
  allowedHosts: '--inspector-allowed-hosts',
  maxEventStreams: '--inspector-max-event-streams',
});

/** The variable the token may come from instead of a flag (`<name>_FILE`: a file holding it). */
export const TOKEN_ENV = 'BERTH_INSPECTOR_TOKEN';

export interface ParsedInspectorFlags {
  host: string;
  port: number;
  token?: string;
  stately?: boolean | string;
  allowedHosts?: string[];
  maxEventStreams?: number;
}

/** Flag help texts, so `inspector` and `up` describe them alike. */
export const INSPECTOR_FLAG_HELP = Object.freeze({
  host: 'interface the inspector binds (127.0.0.1: this machine only)',
  port: 'port of the inspector (0 picks a free one)',
  token: `token that mutating requests and reads of Env values must carry (Authorization: Bearer T; env ${TOKEN_ENV}); default: generated and printed. A token here shows in \`ps\`: prefer the file or the variable`,
  tokenFile: `a file holding the token (env ${TOKEN_ENV}_FILE)`,
  allowedHosts:
    'host names the inspector answers to besides its own, comma-separated (repeatable): name or name:port, for the name a proxy or a published port is reached by; "*" turns the Host check, and with it the defence against DNS rebinding, off',
  maxEventStreams: `how many event streams (pages) may be open at once; one more is refused with 503 (default ${DEFAULT_INSPECTOR_OPTIONS.maxEventStreams})`,
  stately: `also relay inspection events to Stately's inspector through @statelyai/inspect (default URL ${DEFAULT_STATELY_URL})`,
});

/**
 * `names` maps each option to the flag the user typed; `env` is where BERTH_INSPECTOR_TOKEN and
 * BERTH_INSPECTOR_TOKEN_FILE are looked up (flags first).
 */
export function parseInspectorFlags(flags: InspectorFlagValues, names: InspectorFlagNames = INSPECTOR_FLAG_NAMES, env: Env = {}): ParsedInspectorFlags {
  const host = (flags.host ?? DEFAULT_INSPECTOR_OPTIONS.host).trim();
  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) {
    throw new BerthError('EINVAL', `\`${names.host}\` must be an address or host name like 127.0.0.1, got ${quoted(flags.host ?? '')}`);
  }
  const rawPort = (flags.port ?? String(DEFAULT_INSPECTOR_OPTIONS.port)).trim();
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65_535) {
    throw new BerthError('EINVAL', `\`${names.port}\` must be a port number from 0 to 65535, got ${quoted(flags.port ?? '')}`);
  }
  const token = readSecret({
    flag: { name: names.token, value: flags.token },
    fileFlag: { name: names.tokenFile, value: flags.tokenFile },
    envName: TOKEN_ENV,
    env,
  });
  if (token !== undefined && !/^[\x21-\x7e]{8,512}$/.test(token.value)) {
    throw new BerthError('EINVAL', `${token.from} must be 8 to 512 printable characters without spaces`);
  }
  if (typeof flags.stately === 'string' && !/^wss?:\/\/\S+$/.test(flags.stately)) {
    throw new BerthError('EINVAL', `\`--stately\` takes a ws:// or wss:// URL, got ${quoted(flags.stately)}`);
  }
  const allowedHosts = flags.allowedHosts?.flatMap((list) => list.split(',')).map((h) => h.trim()).filter((h) => h !== '');
  const badHost = allowedHosts?.find((h) => !isHostEntry(h));
  if (badHost !== undefined) {
    throw new BerthError('EINVAL', `\`${names.allowedHosts}\` takes host names or addresses, each optionally with :port, or "*", got ${quoted(badHost)}`);
  }
  let maxEventStreams: number | undefined;
  if (flags.maxEventStreams !== undefined) {
    const raw = flags.maxEventStreams.trim();
    maxEventStreams = Number(raw);
    if (!/^\d+$/.test(raw) || maxEventStreams < 1 || maxEventStreams > MAX_EVENT_STREAMS_LIMIT) {
      throw new BerthError('EINVAL', `\`${names.maxEventStreams}\` must be an integer from 1 to ${MAX_EVENT_STREAMS_LIMIT}, got ${quoted(flags.maxEventStreams)}`);
    }
  }
  return {
    host,
    port,
    ...(token === undefined ? {} : { token: token.value }),
    ...(flags.stately === undefined ? {} : { stately: flags.stately }),
    ...(allowedHosts === undefined ? {} : { allowedHosts }),
    ...(maxEventStreams === undefined ? {} : { maxEventStreams }),
  };
}

/** Printed once the inspector listens; the token only when it was generated here. */
export function inspectorBannerLines(inspector: { url: string; token: string }, generated: boolean): string[] {
  const lines = [`Inspector: ${inspector.url}`];
  if (generated) {
    lines.push(`Inspector token (needed to act): ${inspector.token}`, `  open ${inspector.url}#token=${inspector.token} to act from the page`);
  }
  return lines;
}
