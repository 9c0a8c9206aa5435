/**
 * A container spec from an image, as Podman makes it (its specgen: makeCommand and the image
 * defaults): the image's Entrypoint, Cmd, Env, WorkingDir, User, StopSignal and Labels apply,
 * and what the create says overrides them:
 * - the command is the entrypoint (the create's `entrypoint`, else the image's; `[""]` is none)
 *   followed by the create's `command`, else the image's Cmd, which is dropped when the create
 *   names an entrypoint;
 * - env: the image's entries, then the create's, a key given again replacing the image's;
 * - labels: the image's, then the create's.
 * The spec records `image: { id, name }` (the image store's `image rm` reads it) and the layers
 * its overlay mounts; its rootfs is the container's merged dir.
 */
import { BerthError } from '../errors.js';
import type { ImageRecord } from '../images/types.js';
import { parseSignal } from '../signals.js';
import { normaliseSpec, type ContainerSpec, type ContainerSpecData } from '../spec.js';

const keyOf = (entry: string) => entry.slice(0, Math.max(0, entry.indexOf('=')));

/** `base` with each of `over`'s keys replaced (in place) or added (at the end). */
export function mergeEnv(base: readonly string[], over: readonly string[]): string[] {
  const out = [...base];
  for (const e of over) {
    const i = out.findIndex((b) => keyOf(b) === keyOf(e));
    if (i >= 0) out[i] = e;
    else out.push(e);
  }
  return out;
}

/** Podman's command: entrypoint then cmd, by the rules above. */
export function imageCommand(data: Pick<ContainerSpecData, 'entrypoint' | 'command'>, image: Pick<ImageRecord, 'config'>): string[] {
  const entrypoint = data.entrypoint ?? image.config.Entrypoint ?? [];
  const command = data.command ?? (data.entrypoint === undefined ? (image.config.Cmd ?? []) : []);
  const final = [...(entrypoint.length === 1 && entrypoint[0] === '' ? [] : entrypoint), ...command];
  if (final.length === 0 || final[0] === '') throw new BerthError('EINVAL', 'no command or entrypoint provided, and no CMD or ENTRYPOINT from image');
  return final;
}

/** The name the container shows (inspect's ImageName): the image's name the reference matches, else its first. */
export function imageName(ref: string, image: Pick<ImageRecord, 'names' | 'id'>): string {
  const tagged = ref.includes(':') || ref.includes('@') ? ref : `${ref}:latest`;
  const match = image.names.find((n) => n === ref || n === tagged || n.endsWith(`/${tagged}`));
  return match ?? image.names[0] ?? image.id;
}

function imageStopSignal(image: Pick<ImageRecord, 'config'>): string | undefined {
  const s = image.config.StopSignal;
  if (!s) return undefined;
  try {
    return parseSignal(s).name;
  } catch {
    throw new BerthError('EINVAL', `the image's StopSignal "${s}" is not a signal`);
  }
}

export function specFromImage(data: ContainerSpecData, ref: string, image: ImageRecord, fallbackName: string, merged: string): ContainerSpec {
  const command = imageCommand(data, image);
  const wd = image.config.WorkingDir;
  if (wd && !wd.startsWith('/')) throw new BerthError('EINVAL', `the image's WorkingDir "${wd}" is not an absolute path`);
  const stopSignal = data.stopSignal ?? imageStopSignal(image);
  const user = data.user ?? image.config.User ?? '';
  const labels = { ...image.config.Labels, ...data.labels };
  const base = normaliseSpec(
    {
      ...data,
      rootfs: merged,
      command,
      env: mergeEnv(image.config.Env ?? [], data.env ?? []),
      workdir: data.workdir ?? (image.config.WorkingDir || undefined),
      ...(stopSignal ? { stopSignal } : {}),
    },
    fallbackName,
  );
  return {
    ...base,
    image: { id: image.id, name: imageName(ref, image) },
    layers: [...image.layers],
    ...(user ? { user } : {}),
    ...(Object.keys(labels).length ? { labels } : {}),
    readOnly: data.readOnly ?? false,
  };
}
