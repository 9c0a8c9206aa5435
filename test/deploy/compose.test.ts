/** docker-compose.yml stays valid: Debian's docker-compose parses it (no Docker engine needed). */
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { execa } from 'execa';

describe('docker-compose.yml', () => {
  it('is valid per `docker-compose config` and has redis (AOF), a worker and the inspector port', async function () {
    this.timeout(30_000);
    const cwd = fileURLToPath(new URL('../../', import.meta.url));
    const r = await execa('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd, reject: false });
    expect(r.exitCode, String(r.stderr)).to.equal(0);
    expect(r.stdout).to.match(/appendonly/);
    expect(r.stdout).to.match(/worker/);
    expect(r.stdout).to.match(/7777/);
  });
});
