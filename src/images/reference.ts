/**
 * Image references as Podman normalises them: `busybox` is docker.io/library/busybox:latest,
 * `localhost:5000/app` is localhost:5000/app:latest, an import's `NAME[:TAG]` is
 * localhost/NAME:TAG. Pure.
 */
import { BerthError } from '../errors.js';
import { excerpt } from '../printable.js';

export interface ImageReference {
  /** Registry host[:port]: docker.io, localhost, 127.0.0.1:5000 */
  registry: string;
  /** Repository path in the registry: library/busybox, app */
  repository: string;
  tag: string;
  /** sha256:<hex> when the reference names a digest */
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Parses and normalises `ref`; `defaultRegistry` is `docker.io` for pulls, `localhost` for imports and tags. */
export function parseReference(ref: string, defaultRegistry = 'docker.io'): ImageReference {
  const bad = (why: string) => new BerthError('EINVAL', `invalid image reference ${excerpt(ref)}: ${why}`);
  if (ref.length === 0 || ref.length > 512) throw bad('empty or longer than 512 characters');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad('a digest is sha256: and 64 hex digits');
  }
  let tag = 'latest';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad('a tag is up to 128 letters, digits, _, . and -');
  }
  const parts = rest.split('/');
  let registry = defaultRegistry;
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
    if (!/^[A-Za-z0-9.-]+(:[0-9]{1,5})?$/.test(registry)) throw bad('bad registry host');
  }
  if (parts.length === 0 || !parts.every((p) => COMPONENT.test(p))) throw bad('repository names are lowercase letters, digits and separators');
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  return { registry, repository: parts.join('/'), tag, ...(digest ? { digest } : {}) };
}

/** The full name Podman lists: registry/repository:tag (or @digest). */
export function fullName(r: ImageReference): string {
  return r.digest && r.tag === 'latest' ? `${r.registry}/${r.repository}@${r.digest}` : `${r.registry}/${r.repository}:${r.tag}`;
}

/** A full name of a reference given for a local image (tag, import): localhost by default. */
export function localName(ref: string): string {
  return fullName(parseReference(ref, 'localhost'));
}
