/**
 * A secret (a Redis URL with its password, the inspector's token) from one of four places, so it
 * need not sit in a command line that `ps` shows: a flag (`--redis`), a file named by a flag
 * (`--redis-file`), an environment variable (`BERTH_REDIS_URL`) or a file named by one
 * (`BERTH_REDIS_URL_FILE`, as Docker and Compose secrets are mounted). The flags win over the
 * environment; giving both of a pair is refused rather than guessed. A file holds the value alone;
 * surrounding whitespace (its final newline) is dropped. Messages name the flag or variable and the
 * file, never the value.
 */
import { readFileSync } from 'node:fs';
import { BerthError } from './errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface SecretSources {
  /** The flag's value and its spelling (`--redis`). */
  flag: { name: string; value: string | undefined };
  /** The file flag's value and its spelling (`--redis-file`). */
  fileFlag: { name: string; value: string | undefined };
  /** The variable (`BERTH_REDIS_URL`); `<name>_FILE` names a file. Empty values count as unset. */
  envName: string;
  env: Env;
}

export interface Secret {
  value: string;
  /** Where it came from, for messages: `--redis-file /run/secrets/redis`, `BERTH_REDIS_URL`. */
  from: string;
}

/** A secret file is small: a URL or a token. */
export const MAX_SECRET_BYTES = 64 * 1024;

/** Reads a secret file; EINVAL names `source` and the path, never the content. */
export function readSecretFile(source: string, path: string, read: (path: string) => Buffer = readFileSync): string {
  let bytes: Buffer;
  try {
    bytes = read(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new BerthError('EINVAL', `${source}: cannot read ${path} (${code})`, { cause: err });
  }
  if (bytes.length > MAX_SECRET_BYTES) throw new BerthError('EINVAL', `${source}: ${path} is over ${MAX_SECRET_BYTES} bytes`);
  const value = bytes.toString('utf8').trim();
  if (value === '') throw new BerthError('EINVAL', `${source}: ${path} is empty`);
  return value;
}

/** The secret, from the first place that has it (flags first), or undefined when none does. */
export function readSecret(s: SecretSources): Secret | undefined {
  const fileEnv = `${s.envName}_FILE`;
  const envValue = s.env[s.envName] || undefined;
  const envFile = s.env[fileEnv] || undefined;
  if (s.flag.value !== undefined && s.fileFlag.value !== undefined) {
    throw new BerthError('EINVAL', `give \`${s.flag.name}\` or \`${s.fileFlag.name}\`, not both`);
  }
  if (s.flag.value !== undefined) return { value: s.flag.value, from: `\`${s.flag.name}\`` };
  if (s.fileFlag.value !== undefined) {
    const from = `\`${s.fileFlag.name}\` ${s.fileFlag.value}`;
    return { value: readSecretFile(`\`${s.fileFlag.name}\``, s.fileFlag.value), from };
  }
  if (envValue !== undefined && envFile !== undefined) throw new BerthError('EINVAL', `set ${s.envName} or ${fileEnv}, not both`);
  if (envValue !== undefined) return { value: envValue, from: s.envName };
  if (envFile !== undefined) return { value: readSecretFile(fileEnv, envFile), from: `${fileEnv} ${envFile}` };
  return undefined;
}
