/**
 * Berth as a package, as a new user gets it: `npm pack` of the checkout, `npm install <tarball>`
 * into a fresh project, and there the README's API example type-checked against the package's
 * .d.ts and run against a real Redis and the installed package's own `berth worker` on real runc;
 * `npx berth --version` and `npx berth ps`; `npm install -g --prefix` giving a `berth` on PATH;
 * and the installed entry's exports against README.md's API surface. Builds and packs once.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { ResultPromise } from 'execa';
import { ensureBusyboxRootfs } from '../../src/oci/index.js';
import { declaredSurface, readmeSurface, surfaceDiff, valueNames } from '../helpers/api-surface.js';
import { CHECKOUT, installGlobally, packCheckout, projectWith, run, startInstalledWorker, tarballFiles, userEnv } from '../helpers/packed.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { RUNC, TEST_ROOTFS, deleteRuncContainers } from '../helpers/stack.js';

const README = readFileSync(join(CHECKOUT, 'README.md'), 'utf8');
const VERSION = (JSON.parse(readFileSync(join(CHECKOUT, 'package.json'), 'utf8')) as { version: string }).version;

async function runcStatus(root: string, id: string): Promise<string | null> {
  const r = await run(RUNC, ['--root', root, 'state', id], tmpdir(), userEnv());
  return r.code === 0 ? (JSON.parse(r.stdout) as { status: string }).status : null;
}

describe('package: packed, installed and used as a user would', function () {
  this.timeout(300_000);
  let dir: string;
  let tarball: string;
  let project: string;
  let redis: TestRedis;
  let worker: { proc: ResultPromise } | undefined;
  let runcRoot: string;
  let env: Record<string, string>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-package-'));
    tarball = await packCheckout(dir);
    project = await projectWith(tarball, join(dir, 'project'));
    redis = await startRedis();
    await ensureBusyboxRootfs(TEST_ROOTFS);
    const stateDir = join(dir, 'state');
    runcRoot = join(stateDir, 'runc');
    env = userEnv({ BERTH_REDIS_URL: redis.url, BERTH_STATE_DIR: stateDir });
    // the installed package's own worker: compiled JS, production dependencies only
    const args = ['worker', '--node', 'pkg', '--rootfs-root', TEST_ROOTFS];
    worker = await startInstalledWorker(join(project, 'node_modules', '.bin', 'berth'), args, project, env);
  });

  after(async () => {
    worker?.proc.kill('SIGTERM');
    await worker?.proc;
    if (runcRoot) await deleteRuncContainers(runcRoot);
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the tarball holds the compiled JS, its .d.ts, the Lua scripts and the inspector page; no source', async () => {
    const files = await tarballFiles(tarball);
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/inspector/ui/index.html', 'dist/inspector/ui/app.js', 'bin/berth.js', 'README.md', 'LICENSE', 'package.json']) {
      expect(files, f).to.include(`package/${f}`);
    }
    const lua = readdirSync(join(CHECKOUT, 'src', 'store', 'lua')).filter((f) => f.endsWith('.lua'));
    expect(lua).to.not.be.empty;
    for (const f of lua) expect(files, f).to.include(`package/dist/store/lua/${f}`);
    expect(files.filter((f) => /^package\/(src|test|bench|scripts)\//.test(f) || f.endsWith('.map')), 'no source, tests or maps').to.deep.equal([]);
  });

  it('installs with production dependencies only: no tsx, typescript or mocha', () => {
    expect(existsSync(join(project, 'node_modules', 'berth', 'dist', 'index.js'))).to.equal(true);
    for (const dev of ['tsx', 'typescript', 'mocha', 'esbuild']) expect(existsSync(join(project, 'node_modules', dev)), dev).to.equal(false);
  });

  it("exports what README.md's API surface lists: the entry's keys and its .d.ts", async () => {
    const readme = readmeSurface(README);
    const dts = readFileSync(join(project, 'node_modules', 'berth', 'dist', 'index.d.ts'), 'utf8');
    expect(surfaceDiff(readme, declaredSurface(dts), 'the installed dist/index.d.ts')).to.deep.equal([]);
    const probe = "console.log(JSON.stringify(Object.keys(await import('berth')).sort()))";
    const r = await run('node', ['--input-type=module', '-e', probe], project, userEnv());
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal(valueNames(readme));
  });

  it("type-checks the README's API example against the package's types and runs it on the worker", async () => {
    const example = /```ts\n([\s\S]*?)```/.exec(README)?.[1];
    expect(example, 'a ```ts block in the README').to.be.a('string');
    expect(example).to.contain("from 'berth'");
    writeFileSync(join(project, 'example.ts'), example!);
    const compilerOptions = {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      outDir: 'out',
      rootDir: '.',
      skipLibCheck: false,
      types: ['node'],
      typeRoots: [join(CHECKOUT, 'node_modules', '@types')],
    };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['example.ts'] }, null, 2));
    // the checkout's typescript: the project itself has only what the package depends on
    const tsc = await run('node', [join(CHECKOUT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project, userEnv());
    expect(tsc.code, `${tsc.stdout}${tsc.stderr}`).to.equal(0);
    const r = await run('node', ['out/example.js'], project, { ...env, BERTH_ROOTFS: TEST_ROOTFS });
    expect(r.code, r.stderr).to.equal(0);
    const [status, exitCode, removed] = r.stdout.split('\n');
    expect(status).to.equal('configured');
    expect(exitCode).to.equal('7');
    const id = /^([0-9a-f]{64})-\d+ removed$/.exec(removed ?? '')?.[1];
    expect(id, removed).to.be.a('string');
    expect(await runcStatus(runcRoot, id!), 'runc no longer has it').to.equal(null);
  });

  it('npx berth --version and npx berth ps run the compiled CLI from the project', async () => {
    const v = await run('npx', ['berth', '--version'], project, userEnv());
    expect(v).to.deep.include({ code: 0, stdout: VERSION });
    const started = await run('npx', ['berth', 'run', '-d', '--name', 'pkg-ps', '--rootfs', TEST_ROOTFS, 'sleep', '1000'], project, env);
    expect(started.code, started.stderr).to.equal(0);
    expect(started.stdout, 'run prints the Id').to.match(/^[0-9a-f]{64}$/);
    const ps = await run('npx', ['berth', 'ps', '--format', 'json'], project, env);
    expect(ps.code, ps.stderr).to.equal(0);
    const rows = JSON.parse(ps.stdout) as { Id: string; Names: string[]; State: string; Node: string }[];
    expect(rows.map((c) => [c.Id, c.Names, c.State, c.Node])).to.deep.equal([[started.stdout, ['pkg-ps'], 'running', 'pkg']]);
    expect(await runcStatus(runcRoot, started.stdout), 'what runc says').to.equal('running');
    const table = await run('npx', ['berth', 'ps'], project, env);
    expect(table.stdout.split('\n')[1]).to.contain('pkg-ps');
    const rm = await run('npx', ['berth', 'rm', '-f', '-t', '0', 'pkg-ps'], project, env);
    expect(rm, rm.stderr).to.deep.include({ code: 0, stdout: 'pkg-ps' });
    expect(await runcStatus(runcRoot, started.stdout), 'runc no longer has it').to.equal(null);
  });

  it('npm install -g --prefix gives a working berth on PATH', async () => {
    const bin = await installGlobally(tarball, join(dir, 'global'));
    const v = await run('berth', ['--version'], dir, userEnv({}, bin));
    expect(v).to.deep.include({ code: 0, stdout: VERSION });
    const version = await run('berth', ['version', '--format', 'json'], dir, userEnv({ BERTH_REDIS_URL: redis.url }, bin));
    expect(version.code, version.stderr).to.equal(0);
    const report = JSON.parse(version.stdout) as { Client: { Version: string }; Nodes: { Name: string; Version: string; Runtime: { Path: string } }[] };
    expect(report.Client.Version).to.equal(VERSION);
    expect(report.Nodes.map((n) => [n.Name, n.Version, n.Runtime.Path])).to.deep.equal([['pkg', VERSION, RUNC]]);
  });
});
