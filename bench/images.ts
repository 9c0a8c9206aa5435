/**
 * Part `images` (issue #11, point 8): containers from an image.
 *
 * 1. Create-from-image latency, one at a time, `count` creates of the same image: Berth's
 *    `client.create({ image })` (the image loaded into the node's store with
 *    `client.images.load` from Podman's save of the bench image), `podman create` (CLI and REST
 *    API, `--runtime runc`) and Docker (CLI and Engine API, a private dockerd: docker.ts) on the
 *    same busybox rootfs. What a create does differs: Podman and Docker make the container's
 *    layer at create, Berth at init (its overlay is mounted then).
 * 2. Disk use of `disk` Berth containers created and inited from that one image (so each has its
 *    overlay: the image's layers as lower dirs, an upper and a work dir of its own): the upper and
 *    work dirs summed against the image's unpacked layers, and against `disk` full copies.
 *    `du` counts disk blocks (each dir's own 4 KiB too); merged dirs are never walked.
 * Never asserted.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { withScope } from './cleanup.js';
import type { Docker } from './docker.js';
import { DOCKER_CREATE_FLAGS, DOCKER_IMAGE } from './docker.js';
import { CREATE_FLAGS, IMAGE, PODMAN, podman, removeAll, runPrefix, startService } from './podman.js';
import { startStack } from './stack.js';
import { nowMs, pool, summarize, type Summary } from './stats.js';

export interface ImagesOptions {
  rootfs: string;
  /** Creates timed per system. */
  count: number;
  warmup: number;
  /** Containers created and inited for the disk figures. */
  disk: number;
  podman: boolean;
  /** The private dockerd, or why there is none. */
  docker: Docker | { skipped: string };
}

export interface ImagesResult {
  count: number;
  /** Create latency, ms, per system; null: not measured (the reason in `skipped`). */
  create: Record<'berth' | 'podmanCli' | 'podmanApi' | 'dockerCli' | 'dockerApi', Summary | null>;
  skipped: Record<string, string>;
  /** dockerd's version, when it ran. */
  docker: string | null;
  disk: {
    containers: number;
    /** du of the image's unpacked layers (once, shared), bytes. */
    layersBytes: number;
    /** du of every container's upper and work dirs together, bytes. */
    uppersBytes: number;
    perContainerBytes: number;
    /** What `containers` full copies of the image would take: containers × layersBytes. */
    copiesBytes: number;
  };
}

const COMMAND = ['sleep', '60'];

/** `du -s -B1 -c` of these paths (hard links once): the total, bytes. */
async function du(paths: string[]): Promise<number> {
  if (paths.length === 0) return 0;
  const r = await execa('du', ['-s', '-c', '-B1', '--', ...paths]);
  return Number(r.stdout.trim().split('\n').at(-1)!.split('\t')[0]);
}

async function timed(o: ImagesOptions, log: (line: string) => void, what: string, once: (i: number) => Promise<unknown>): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < o.warmup + o.count; i++) {
    const t0 = nowMs();
    await once(i);
    if (i >= o.warmup) samples.push(nowMs() - t0);
  }
  const s = summarize(samples);
  log(`${what}: create p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms`);
  return s;
}

export async function runImages(o: ImagesOptions, log: (line: string) => void): Promise<ImagesResult> {
  return withScope('images', async (scope) => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-bench-images-'));
    scope.defer(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    const skipped: Record<string, string> = {};
    const create: ImagesResult['create'] = { berth: null, podmanCli: null, podmanApi: null, dockerCli: null, dockerApi: null };

    // Berth: Podman's save of the bench image (the same rootfs) loaded into the node's store; without
    // Podman, the rootfs tarball imported as that name
    const stack = await startStack(scope, { name: 'images', concurrency: 8, rootfs: o.rootfs });
    const storage = join(stack.stateDir, 'storage');
    // what a failed removal left mounted is unmounted before the stack's temp dir goes
    scope.defer('berth overlays', async () => {
      if (!existsSync(storage)) return;
      for (const id of readdirSync(storage, { withFileTypes: true }).filter((d) => d.isDirectory())) {
        await execa('umount', [join(storage, id.name, 'merged')], { reject: false });
      }
    });
    const names: string[] = [];
    scope.defer('berth containers', () => pool(names, 8, (n) => stack.client.remove(n, { force: true, timeout: 0 }).then(() => undefined)));
    const archive = join(dir, 'image.tar');
    if (o.podman) {
      await execa(PODMAN, ['save', '-q', '--format', 'oci-archive', '-o', archive, IMAGE]);
      await stack.client.images.load(archive, { node: 'bench' });
    } else {
      await execa('tar', ['-C', o.rootfs, '-cf', archive, '.']);
      await stack.client.images.import(archive, IMAGE, { node: 'bench' });
    }
    const berthName = (i: number) => `img-${i}`;
    create.berth = await timed(o, log, 'berth (client.create)', async (i) => {
      await stack.client.create({ name: berthName(i), image: IMAGE, command: COMMAND });
      names.push(berthName(i));
    });

    if (o.podman) {
      const prefix = runPrefix('images');
      scope.defer('podman containers', () => removeAll(prefix));
      create.podmanCli = await timed(o, log, 'podman create', (i) => podman(['create', ...CREATE_FLAGS, '--name', `${prefix}cli-${i}`, IMAGE, ...COMMAND]));
      const service = await startService(scope, dir);
      create.podmanApi = await timed(o, log, 'podman REST API', (i) => service.api.create(`${prefix}api-${i}`, COMMAND));
    } else {
      skipped['podman'] = 'podman left out';
    }

    if ('skipped' in o.docker) {
      skipped['docker'] = o.docker.skipped;
    } else {
      const docker = o.docker;
      create.dockerCli = await timed(o, log, 'docker create', (i) => docker.cli(['create', ...DOCKER_CREATE_FLAGS, '--name', `cli-${i}`, DOCKER_IMAGE, ...COMMAND]));
      create.dockerApi = await timed(o, log, 'docker Engine API', (i) => docker.api.create(`api-${i}`, DOCKER_IMAGE, COMMAND));
    }

    // disk: up to `disk` containers of the one image, all inited (each overlay mounted)
    const more = Array.from({ length: Math.max(0, o.disk - names.length) }, (_, i) => berthName(o.warmup + o.count + i));
    await pool(more, 8, async (n) => {
      await stack.client.create({ name: n, image: IMAGE, command: COMMAND });
      names.push(n);
    });
    const inited = names.slice(0, o.disk);
    await pool(inited, 8, async (n) => {
      await stack.client.init(n);
    });
    const ids = await Promise.all(inited.map(async (n) => (await stack.client.inspect(n)).Id));
    const uppersBytes = await du(ids.flatMap((id) => [join(storage, id, 'upper'), join(storage, id, 'work')]));
    const layersBytes = await du([join(stack.stateDir, 'images', 'layers')]);
    const disk = { containers: inited.length, layersBytes, uppersBytes, perContainerBytes: uppersBytes / inited.length, copiesBytes: inited.length * layersBytes };
    log(`disk, ${disk.containers} inited containers of one image: upper + work dirs ${mb(uppersBytes)} MB in all (${(disk.perContainerBytes / 1024).toFixed(1)} KiB each); the image's layers ${mb(layersBytes)} MB, once; ${disk.containers} copies would be ${mb(disk.copiesBytes)} MB`);
    return { count: o.count, create, skipped, docker: 'skipped' in o.docker ? null : o.docker.version, disk };
  });
}

const mb = (b: number) => (b / 1e6).toFixed(1);

const ROWS: [keyof ImagesResult['create'], string][] = [
  ['berth', 'Berth (client.create)'],
  ['podmanCli', 'podman create (CLI)'],
  ['podmanApi', 'Podman REST API'],
  ['dockerCli', 'docker create (CLI)'],
  ['dockerApi', 'Docker Engine API'],
];

const f1 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(1));

export function imagesConsole(r: ImagesResult): string {
  const out = [`\n9. Containers from one image: create latency, ms (${r.count} creates each, one at a time)`];
  for (const [k, label] of ROWS) out.push(`  ${label.padEnd(24)} p50 ${f1(r.create[k]?.p50).padStart(7)}  p99 ${f1(r.create[k]?.p99).padStart(7)}`);
  for (const [what, why] of Object.entries(r.skipped)) out.push(`  ${what} skipped: ${why}`);
  const d = r.disk;
  out.push(`  disk, ${d.containers} containers created and inited: their upper + work dirs ${mb(d.uppersBytes)} MB (${(d.perContainerBytes / 1024).toFixed(1)} KiB each) over the image's layers ${mb(d.layersBytes)} MB, shared; ${d.containers} copies: ${mb(d.copiesBytes)} MB`);
  return out.join('\n');
}

export function imagesMarkdown(r: ImagesResult): string {
  const md = [`**Containers from one image**: create latency, ms, ${r.count} creates of the same image one at a time (Podman and Docker make the container's layer at create, Berth at init).`, '', '| | create p50 | create p99 |', '|---|---:|---:|'];
  for (const [k, label] of ROWS) md.push(`| ${label} | ${f1(r.create[k]?.p50)} | ${f1(r.create[k]?.p99)} |`);
  for (const [what, why] of Object.entries(r.skipped)) md.push('', `${what} skipped: ${why}`);
  const d = r.disk;
  md.push('', `Disk use of ${d.containers} containers created and inited from that image (each with its overlay mounted): their upper and work dirs ${mb(d.uppersBytes)} MB in all (${(d.perContainerBytes / 1024).toFixed(1)} KiB each), over the image's unpacked layers, ${mb(d.layersBytes)} MB, stored once and shared; ${d.containers} copies of the image would take ${mb(d.copiesBytes)} MB (\`du\`, disk blocks).`);
  return md.join('\n');
}
