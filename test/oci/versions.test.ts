/**
 * What a worker registers about its runtime: each binary's path and its own `--version` output,
 * and, for a binary that is missing or says nothing, the reason instead of a failure.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { binaryVersion, describeBinaries, firstLine } from '../../src/oci/versions.js';
import { RUNC } from '../helpers/stack.js';

describe('oci: runtime and conmon versions', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-versions-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("reports runc's and conmon's own output, conmon found on PATH", async () => {
    const runc = String((await execa(RUNC, ['--version'])).stdout).trim();
    const conmon = String((await execa('conmon', ['--version'])).stdout).trim();
    const d = await describeBinaries('runc', { runtime: RUNC, conmon: 'conmon', root: '/r', stateDir: '/s' });
    expect(d.name).to.equal('runc');
    expect(d.runtime).to.deep.equal({ path: RUNC, version: runc });
    expect(d.conmon?.version).to.equal(conmon);
    expect(d.conmon?.path).to.match(/^\/.*\/conmon$/);
    expect(d).to.include({ runtimeRoot: '/r', stateDir: '/s' });
    expect(firstLine(d.runtime.version)).to.match(/^runc version \S+$/);
  });

  it('a missing binary, or one that fails, is reported with the reason, never thrown', async () => {
    const d = await describeBinaries('runc', { runtime: RUNC, conmon: join(dir, 'no-conmon'), root: '/r', stateDir: '/s' });
    expect(d.conmon).to.deep.equal({ path: join(dir, 'no-conmon'), version: `unknown (conmon ${join(dir, 'no-conmon')} is missing or not executable)` });
    const failing = join(dir, 'failing');
    writeFileSync(failing, '#!/bin/sh\necho "no version here" >&2\nexit 3\n', { mode: 0o755 });
    expect(await binaryVersion(failing)).to.deep.equal({ path: failing, version: 'unknown (no version here)' });
  });
});
