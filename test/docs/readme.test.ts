/**
 * The README's TypeScript example runs as written (its import pointed at this checkout) against a
 * worker on real runc, and prints what its comments say.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { execa } from 'execa';
import { startStack, type Stack } from '../helpers/stack.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('README: the TypeScript API example', function () {
  this.timeout(30_000);
  let s: Stack;
  before(async () => {
    s = await startStack('readme', { prefix: '{berth}' });
  });
  after(async () => {
    await s?.close();
  });

  it('runs and prints configured, 7, and a removed job', async () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'a ```ts block in the README').to.be.a('string');
    const code = block!.replace("from 'berth'", `from '${root}src/index.ts'`);
    const file = `${root}test/docs/.readme-example.ts`;
    writeFileSync(file, code);
    try {
      const r = await execa('node', ['--import', 'tsx', file], {
        env: { BERTH_REDIS_URL: s.redis.url, BERTH_ROOTFS: s.rootfs },
        reject: false,
      });
      expect(r.exitCode, String(r.stderr)).to.equal(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).to.equal('configured');
      expect(lines[1]).to.equal('7');
      expect(lines[2]).to.match(/^[0-9a-f]{64}-\d+ removed$/);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
