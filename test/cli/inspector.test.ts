/**
 * `berth inspector` and the inspector of `berth up`, as processes: the printed URL and token, the
 * flags checked at the boundary, and the API answering behind the URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { berth, spawnBerth } from './run-cli.js';

function untilLine(proc: ReturnType<typeof spawnBerth>, match: RegExp, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      lines.push(line);
      if (match.test(line)) resolve();
    });
    void proc.then((r) => reject(new Error(`berth exited (${String(r.exitCode)}): ${String(r.stderr)}`)));
  });
}

describe('cli: berth inspector and the inspector of berth up', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;
  let up: ReturnType<typeof spawnBerth>;
  const upOut: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-insp-cli-'));
    env = { BERTH_STATE_DIR: dir };
    up = spawnBerth(['up', '--node', 'insp-cli', '--inspector-port', '0'], env);
    await untilLine(up, /^Ctrl-C/, upOut);
  });
  after(async () => {
    if (up && up.exitCode === null) {
      up.kill('SIGTERM');
      await up;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('berth up serves the inspector and prints its URL and generated token', async () => {
    const url = /^Inspector: (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(upOut.find((l) => l.startsWith('Inspector:')) ?? '')?.[1];
    const token = /^Inspector token \(needed to act\): (\S+)$/.exec(upOut.find((l) => l.startsWith('Inspector token')) ?? '')?.[1];
    expect(url).to.be.a('string');
    expect(token).to.match(/^[A-Za-z0-9_-]{32}$/);
    const nodes = (await (await fetch(`${url}api/nodes`)).json()) as { nodes: { name: string; live: boolean }[] };
    expect(nodes.nodes[0]).to.include({ name: 'insp-cli', live: true });
    expect((await fetch(`${url}api/containers/x/start`, { method: 'POST' })).status).to.equal(401);
    expect((await fetch(`${url}api/containers/x/start`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } })).status).to.equal(404);
  });

  it('berth inspector serves the same Redis; a given token is not printed', async () => {
    const out: string[] = [];
    const proc = spawnBerth(['inspector', '--port', '0', '--token', 'given-token-1'], env);
    await untilLine(proc, /^Ctrl-C stops the inspector\.$/, out);
    const url = /^Inspector: (\S+)$/.exec(out[0] ?? '')?.[1];
    expect(out).to.have.length(2);
    const res = await fetch(`${url}api/containers`);
    expect(res.status).to.equal(200);
    proc.kill('SIGINT');
    expect((await proc).exitCode).to.equal(0);
  });

  it('bad flags: exit 125 naming the flag', async () => {
    const r = await berth(['inspector', '--port', '99999'], env);
    expect(r.code).to.equal(125);
    expect(r.stderr).to.equal('Error: inspector: `--port` must be a port number from 0 to 65535, got "99999"');
    const u = await berth(['up', '--inspector-port', 'x'], env);
    expect(u.code).to.equal(125);
    expect(u.stderr).to.equal('Error: up: `--inspector-port` must be a port number from 0 to 65535, got "x"');
  });
});
