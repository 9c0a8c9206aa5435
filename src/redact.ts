/**
 * Secrets kept out of messages and logs: a URL's password (redis://user:PASSWORD@host) is shown
 * as `***`, in a URL on its own (`redactUrl`, also for strings that do not parse as URLs) and in
 * free text such as an error message or a log line (`redactSecrets`). Used by describeRedis and by
 * the logger's `redact` censor (log.ts).
 */

/** What stands in for a password. */
export const REDACTED = '***';

/** scheme://user:password@ inside any text; the password may be empty. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*):[^\s@/]*@/gi;

/** `url` with its password replaced; when it does not parse, everything up to the last `@` is. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const at = url.lastIndexOf('@');
    if (at < 0) return url;
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '';
    return `${scheme}${REDACTED}${url.slice(at)}`;
  }
  if (parsed.password) parsed.password = REDACTED;
  return parsed.toString();
}

/** Words that stand for a password in examples and hints ("redis://:PASSWORD@host"): left as they are. */
const PLACEHOLDERS = new Set(['PASSWORD', 'password', '<password>', REDACTED]);

/** Every URL password in `text` replaced (`redis://:***@host`); the rest, placeholders included, unchanged. */
export function redactSecrets(text: string): string {
  return text.replace(URL_PASSWORD, (match: string, head: string) => {
    const password = match.slice(head.length + 1, -1);
    return PLACEHOLDERS.has(password) ? match : `${head}:${REDACTED}@`;
  });
}
