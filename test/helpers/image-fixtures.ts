/**
 * Image fixtures made on the spot: tars with chosen entries (python3's tarfile, which writes any
 * name, link or device a hostile archive could hold), OCI archives built from layer tars (with a
 * media type, platform or digest of the test's choosing), and Podman's own saves of an image
 * imported from the tests' busybox rootfs.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface TarEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'link' | 'char';
  target?: string;
  data?: string;
}

const PY = `
import json, sys, tarfile, io
out, entries = sys.argv[1], json.loads(sys.argv[2])
kinds = {'file': tarfile.REGTYPE, 'dir': tarfile.DIRTYPE, 'symlink': tarfile.SYMTYPE, 'link': tarfile.LNKTYPE, 'char': tarfile.CHRTYPE}
with tarfile.open(out, 'w', format=tarfile.PAX_FORMAT) as t:
    for e in entries:
        i = tarfile.TarInfo(e['name']); i.type = kinds[e['type']]; i.mode = 0o755 if e['type'] == 'dir' else 0o644
        i.linkname = e.get('target', '')
        data = e.get('data', '').encode()
        i.size = len(data) if e['type'] == 'file' else 0
        t.addfile(i, io.BytesIO(data) if e['type'] == 'file' else None)
`;

/** Writes a tar of exactly these entries to `out`. */
export async function writeTar(out: string, entries: TarEntry[]): Promise<string> {
  await execa('python3', ['-c', PY, out, JSON.stringify(entries)]);
  return out;
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export interface OciArchiveOptions {
  layerType?: string;
  /** Platforms of an index wrapping the manifest (an image index); none: the manifest itself. */
  platforms?: { os: string; architecture: string }[];
  /** Replace the first layer's blob bytes after its digest was taken. */
  corruptLayer?: boolean;
  name?: string;
}

/** An OCI archive (index.json + blobs) of these layer tars; its path. */
export async function writeOciArchive(out: string, layers: string[], o: OciArchiveOptions = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-oci-'));
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (b: Buffer | string) => {
    const h = sha(b);
    await writeFile(join(blobs, h), b);
    return h;
  };
  const descs = [];
  for (const l of layers) {
    const bytes = await readFile(l);
    const h = await put(bytes);
    if (o.corruptLayer && descs.length === 0) await writeFile(join(blobs, h), Buffer.concat([bytes.subarray(0, bytes.length - 1), Buffer.from([bytes[bytes.length - 1]! ^ 1])]));
    descs.push({ h, size: bytes.length });
  }
  const config = JSON.stringify({ created: '2026-01-01T00:00:00Z', architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'], Labels: { fixture: 'yes' } }, rootfs: { type: 'layers', diff_ids: descs.map((d) => `sha256:${d.h}`) } });
  const ch = await put(config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${ch}`, size: config.length },
    layers: descs.map((d) => ({ mediaType: o.layerType ?? 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${d.h}`, size: d.size })),
  });
  const mh = await put(manifest);
  const ann = { annotations: { 'org.opencontainers.image.ref.name': o.name ?? 'localhost/fixture:latest' } };
  let top = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${mh}`, size: manifest.length, ...ann };
  if (o.platforms) {
    const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: o.platforms.map((p) => ({ mediaType: top.mediaType, digest: top.digest, size: top.size, platform: p })) });
    const ih = await put(index);
    top = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${ih}`, size: index.length, ...ann };
  }
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [top] }));
  await execa('tar', ['-C', dir, '-cf', out, '.']);
  return out;
}

/** Podman's saves (oci-archive and docker-archive) of an image imported from `rootfs`; its Id as Podman reports it. */
export async function podmanSaves(rootfs: string, dir: string, name: string): Promise<{ oci: string; docker: string; rootfsTar: string; id: string }> {
  const rootfsTar = join(dir, 'rootfs.tar');
  await execa('tar', ['-C', rootfs, '-cf', rootfsTar, '.']);
  const id = (await execa('podman', ['import', '-q', rootfsTar, name])).stdout.trim().replace(/^sha256:/, '');
  const oci = join(dir, 'oci.tar');
  const docker = join(dir, 'docker.tar');
  await execa('podman', ['save', '-q', '--format', 'oci-archive', '-o', oci, name]);
  await execa('podman', ['save', '-q', '--format', 'docker-archive', '-o', docker, name]);
  await execa('podman', ['rmi', '-f', name], { reject: false });
  return { oci, docker, rootfsTar, id };
}
