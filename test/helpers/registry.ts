/**
 * A private registry for tests: Debian's docker-registry (distribution) on a loopback port, with
 * its own config and storage dir, optionally with htpasswd basic auth. Ready when it logs that it
 * is listening (no polling); `push` copies an archive into it with skopeo.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

export interface TestRegistry {
  /** host:port */
  host: string;
  push(archive: string, repo: string, transport?: 'oci-archive' | 'docker-archive'): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** `bind`: the address it listens on (default 127.0.0.1; the netns test binds a veth's root side). */
export async function startRegistry(o: { user?: string; pass?: string; bind?: string } = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-registry-'));
  const port = await freePort();
  const host = `${o.bind ?? '127.0.0.1'}:${port}`;
  let auth = '';
  if (o.user && o.pass) {
    const hash = (await execa('python3', ['-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))', o.pass])).stdout.trim();
    writeFileSync(join(dir, 'htpasswd'), `${o.user}:${hash}\n`);
    auth = `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  const config = join(dir, 'config.yml');
  writeFileSync(config, `version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${host}\n${auth}`);
  const proc: ResultPromise = execa('docker-registry', ['serve', config], { reject: false, buffer: false });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (b: Buffer) => {
      seen += b.toString();
      if (seen.includes('listening on')) {
        proc.stderr?.off('data', onData);
        proc.stderr?.resume();
        resolve();
      }
    };
    proc.stderr?.on('data', onData);
    void proc.then((r) => reject(new Error(`docker-registry exited ${String(r.exitCode)}: ${seen.slice(-500)}`)));
  });
  const creds = o.user && o.pass ? ['--dest-creds', `${o.user}:${o.pass}`] : [];
  return {
    host,
    push: async (archive, repo, transport = 'oci-archive') => {
      await execa('skopeo', ['copy', '-q', '--dest-tls-verify=false', ...creds, `${transport}:${archive}`, `docker://${host}/${repo}`]);
    },
    stop: async () => {
      proc.kill('SIGTERM');
      await proc;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
