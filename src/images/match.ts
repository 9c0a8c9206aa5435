/**
 * Which image a reference names among a node's records, as Podman resolves it: a full or short
 * Id (unique prefix, 3 or more hex digits), a full name, a name without registry (localhost, then
 * docker.io), or a short name matching any registry's repository (`busybox` is
 * …/busybox:latest). Pure: the store (files) and the client (the index in Redis) share it.
 */
import { fullName, parseReference } from './reference.js';
import type { ImageRecord } from './types.js';

export function matchImage<T extends Pick<ImageRecord, 'id' | 'names'>>(records: readonly T[], ref: string): T | null {
  const id = ref.replace(/^sha256:/, '');
  if (/^[a-f0-9]{3,64}$/.test(id)) {
    const hits = records.filter((r) => r.id.startsWith(id));
    if (hits.length === 1) return hits[0]!;
  }
  let wanted: string[];
  try {
    const r = parseReference(ref, 'localhost');
    wanted = [fullName(r), fullName({ ...r, registry: 'docker.io', repository: r.repository.includes('/') ? r.repository : `library/${r.repository}` }), fullName(parseReference(ref))];
  } catch {
    return null;
  }
  const exact = records.find((r) => r.names.some((n) => wanted.includes(n)));
  if (exact) return exact;
  const short = ref.includes('/') ? `/${ref}` : `/${ref}`;
  const suffix = /:[^/]*$/.test(short) ? short : `${short}:latest`;
  return records.find((r) => r.names.some((n) => n.endsWith(suffix))) ?? null;
}
