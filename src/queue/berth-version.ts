/**
 * Berth's version: package.json's, read once. The path is the same from src/queue and from
 * dist/queue (both two levels below the package root), in a checkout and in an installed package.
 */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function berthVersion(): string {
  cached ??= readVersion();
  return cached;
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
