/**
 * Part `pull` (issue #11, point 8): a ~100 MB image (the busybox rootfs plus 100 MB of random
 * bytes, so gzip cannot shrink it) pulled from a private loopback registry (Debian's
 * docker-registry, the image pushed with skopeo from Podman's save): Berth's `client.images.pull`
 * through the queue to a worker in its own process (download, verify, unpack), against
 * `podman pull` (the same work into containers/storage) and `skopeo copy` to an OCI dir
 * (download and verify, no unpack). MB/s of the compressed bytes fetched. Never asserted.
 */
import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { withScope } from './cleanup.js';
import { startStack } from './stack.js';
import { nowMs } from './stats.js';

export interface PullOptions {
  rootfs: string;
  rounds: number;
  megabytes: number;
  podman: boolean;
}

export interface PullResult {
  /** Compressed bytes of the image's layers. */
  bytes: number;
  /** MB/s per system, the best of `rounds`. */
  berth: number;
  podman: number | null;
  skopeo: number;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  await new Promise((r) => s.close(r));
  return typeof a === 'object' && a ? a.port : 0;
}

export async function runPull(o: PullOptions, log: (line: string) => void): Promise<PullResult> {
  return withScope('pull', async (scope) => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-bench-pull-'));
    scope.defer(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    const tree = join(dir, 'rootfs');
    await cp(o.rootfs, tree, { recursive: true });
    await execa('head', ['-c', String(o.megabytes * 1_000_000), '/dev/urandom'], { stdout: { file: join(tree, 'payload') } });
    await execa('tar', ['-C', tree, '-cf', join(dir, 'rootfs.tar'), '.']);
    const name = `localhost/berth-bench-pull-${process.pid}:1`;
    await execa('podman', ['import', '-q', join(dir, 'rootfs.tar'), name]);
    await execa('podman', ['save', '-q', '--format', 'oci-archive', '-o', join(dir, 'image.tar'), name]);
    await execa('podman', ['rmi', '-f', name], { reject: false });
    const host = `127.0.0.1:${await freePort()}`;
    const config = join(dir, 'registry.yml');
    writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'registry')}\nhttp:\n  addr: ${host}\n`);
    const registry = execa('docker-registry', ['serve', config], { reject: false });
    scope.defer('docker-registry', async () => {
      registry.kill('SIGTERM');
      await registry;
    });
    const ref = `${host}/bench/pull:1`;
    // skopeo retries its connection until the registry listens: the push is the readiness wait
    await execa('skopeo', ['copy', '-q', '--retry-times', '10', '--dest-tls-verify=false', `oci-archive:${join(dir, 'image.tar')}`, `docker://${ref}`]);
    const manifest = JSON.parse((await execa('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`])).stdout) as { layers: { size: number }[] };
    const bytes = manifest.layers.reduce((n, l) => n + l.size, 0);
    const stack = await startStack(scope, { name: 'pull', concurrency: 2, rootfs: o.rootfs });
    const best = async (what: string, once: () => Promise<unknown>, reset: () => Promise<unknown>): Promise<number> => {
      let top = 0;
      for (let i = 0; i < o.rounds; i++) {
        await reset();
        const t0 = nowMs();
        await once();
        const mbs = bytes / 1e6 / ((nowMs() - t0) / 1000);
        top = Math.max(top, mbs);
        log(`${what}: ${mbs.toFixed(1)} MB/s`);
      }
      return top;
    };
    const berth = await best('berth pull', () => stack.client.images.pull(ref, { tlsVerify: false }), () => stack.client.images.remove(ref, { force: true }).catch(() => undefined));
    const podman = o.podman
      ? await best('podman pull', () => execa('podman', ['pull', '-q', '--tls-verify=false', ref]), () => execa('podman', ['rmi', '-f', ref], { reject: false }))
      : null;
    if (o.podman) scope.defer('podman image', () => execa('podman', ['rmi', '-f', ref], { reject: false }));
    const out = join(dir, 'skopeo-out');
    const skopeo = await best('skopeo copy', () => execa('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${ref}`, `oci:${out}:1`]), async () => {
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out);
    });
    log(`pull of ${(bytes / 1e6).toFixed(1)} MB: berth ${berth.toFixed(1)} MB/s, podman ${podman?.toFixed(1) ?? '-'} MB/s, skopeo ${skopeo.toFixed(1)} MB/s`);
    await stat(out); // skopeo wrote its copy
    return { bytes, berth, podman, skopeo };
  });
}
