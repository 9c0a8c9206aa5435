/**
 * What the CLI needs to run the inspector (`berth inspector`, and `berth up` starting it), kept
 * beside the feature so the verb stays thin: parsing the flags' raw strings (EINVAL naming the
 * flag, what was expected and the value given) and the lines printed at start.
 */
import { BerthError } from '../errors.js';
import { DEFAULT_INSPECTOR_OPTIONS, DEFAULT_STATELY_URL } from './options.js';

/** The raw values commander collects for `--host`, `--port`, `--token` and `--stately [url]`. */
export interface InspectorFlagValues {
  host?: string;
  port?: string;
  token?: string;
  stately?: boolean | string;
}

export interface ParsedInspectorFlags {
  host: string;
  port: number;
  token?: string;
  stately?: boolean | string;
}

/** Flag help texts, so `inspector` and `up` describe them alike. */
export const INSPECTOR_FLAG_HELP = Object.freeze({
  host: 'interface the inspector binds (127.0.0.1: this machine only)',
  port: 'port of the inspector (0 picks a free one)',
  token: 'token that mutating requests must carry (Authorization: Bearer T); default: generated and printed',
  stately: `also relay inspection events to Stately's inspector through @statelyai/inspect (default URL ${DEFAULT_STATELY_URL})`,
});

/** `names` maps each option to the flag the user typed (`up` spells them --inspector-…). */
export function parseInspectorFlags(
  flags: InspectorFlagValues,
  names: { host: string; port: string; token: string } = { host: '--host', port: '--port', token: '--token' },
): ParsedInspectorFlags {
  const host = (flags.host ?? DEFAULT_INSPECTOR_OPTIONS.host).trim();
  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) {
    throw new BerthError('EINVAL', `\`${names.host}\` must be an address or host name like 127.0.0.1, got "${flags.host ?? ''}"`);
  }
  const rawPort = (flags.port ?? String(DEFAULT_INSPECTOR_OPTIONS.port)).trim();
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65_535) {
    throw new BerthError('EINVAL', `\`${names.port}\` must be a port number from 0 to 65535, got "${flags.port ?? ''}"`);
  }
  if (flags.token !== undefined && !/^[\x21-\x7e]{8,512}$/.test(flags.token)) {
    throw new BerthError('EINVAL', `\`${names.token}\` must be 8 to 512 printable characters without spaces`);
  }
  if (typeof flags.stately === 'string' && !/^wss?:\/\/\S+$/.test(flags.stately)) {
    throw new BerthError('EINVAL', `\`--stately\` takes a ws:// or wss:// URL, got "${flags.stately}"`);
  }
  return {
    host,
    port,
    ...(flags.token === undefined ? {} : { token: flags.token }),
    ...(flags.stately === undefined ? {} : { stately: flags.stately }),
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
