/**
 * End to end through the embedded default: `berth up` (a private redis-server on a unix socket in
 * a tmp state dir, plus a worker on real runc) in one process, then every verb as another `berth`
 * process that finds it through BERTH_STATE_DIR alone. Verbs block until done, so nothing sleeps.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { execa } from 'execa';
import type { PsEntry } from '../../src/cli/ps-format.js';
import type { HistoryEntry } from '../../src/store/records.js';
import { connectRedis } from '../../src/store/redis.js';
import { rejection } from '../helpers/assert.js';
import { berth, lines, spawnBerth } from './run-cli.js';

const RUNC = '/usr/sbin/runc';
const ID = /^[0-9a-f]{64}$/;

describe('cli e2e: berth up, then the verbs from another process', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;
  let up: ReturnType<typeof spawnBerth>;
  const upOut: string[] = [];
  let rootfs: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-e2e-'));
    env = { BERTH_STATE_DIR: dir };
    rootfs = join(dir, 'rootfs', 'busybox');
    up = spawnBerth(['up', '--node', 'cli-e2e'], env);
    const stderr: string[] = [];
    createInterface({ input: up.stderr! }).on('line', (l) => stderr.push(l));
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: up.stdout! }).on('line', (line) => {
        upOut.push(line);
        if (line.startsWith('Ctrl-C')) resolve();
      });
      void up.then((r) => reject(new Error(`berth up exited (${String(r.exitCode)}): ${stderr.join('\n')}`)));
    });
  });

  after(async () => {
    if (up && up.exitCode === null) {
      up.kill('SIGTERM');
      await up;
    }
    const list = await execa(RUNC, ['--root', join(dir, 'runc'), 'list', '-q'], { reject: false });
    for (const id of String(list.stdout).split('\n').filter(Boolean)) {
      await execa(RUNC, ['--root', join(dir, 'runc'), 'delete', '--force', id], { reject: false });
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const ok = async (args: string[]) => {
    const r = await berth(args, env);
    expect(r.code, `berth ${args.join(' ')}: ${r.stderr}`).to.equal(0);
    expect(r.stderr, `berth ${args.join(' ')}`).to.equal('');
    return r.stdout;
  };

  it('says where Redis listens and how other terminals find it, never its password', () => {
    expect(upOut[0]).to.equal(`berth is up: node "cli-e2e" (${RUNC}), Redis (embedded) at unix://${dir}/redis.sock, data in ${dir}`);
    expect(upOut[1]).to.equal(`In other terminals: export BERTH_STATE_DIR=${dir}  (the socket and its password file are there)`);
    expect(upOut).to.include(`  berth run -d --name hello --rootfs ${rootfs} sh -c 'echo hello; sleep 1000'`);
    expect(existsSync(join(dir, 'redis.sock'))).to.equal(true);
    const password = readFileSync(join(dir, 'redis.password'), 'utf8').trim();
    expect(upOut.join('\n')).to.not.contain(password);
  });

  it("the embedded Redis: a password, a 0600 password file, a 0700 socket and state dir", async () => {
    expect(statSync(dir).mode & 0o777).to.equal(0o700);
    expect(statSync(join(dir, 'redis.password')).mode & 0o777).to.equal(0o600);
    expect(statSync(join(dir, 'redis.sock')).mode & 0o777).to.equal(0o700);
    const e = await rejection(connectRedis(`unix://${dir}/redis.sock`, { timeoutMs: 2000 }));
    expect(e.message).to.equal(
      `Redis at unix://${dir}/redis.sock needs a password (NOAUTH): give it in the URL, redis://:PASSWORD@host:port, through --redis-file or BERTH_REDIS_URL_FILE`,
    );
  });

  it('a container cannot reach the embedded Redis: no socket anywhere in its filesystem', async () => {
    const socket = join(dir, 'redis.sock');
    const script = `test -e ${socket} && echo visible || echo absent; find / -xdev -type s | wc -l; ls ${dir} 2>&1 | head -1`;
    await ok(['run', '-d', '--name', 'probe', '--rootfs', rootfs, 'sh', '-c', script]);
    expect(await ok(['wait', 'probe'])).to.equal('0');
    const out = (await berth(['logs', 'probe'], env)).stdout.split('\n');
    expect(out[0]).to.equal('absent');
    expect(out[1]?.trim()).to.equal('0');
    expect(out[2]).to.match(/No such file or directory/);
    await ok(['rm', 'probe']);
  });

  it('ps shows an ESC in a container command as \\x1b, never raw', async () => {
    await ok(['create', '--name', 'esc', '--rootfs', rootfs, 'sh', '-c', 'printf "\x1b]0;pwned\x07"']);
    const table = await ok(['ps', '-a']);
    expect(table).to.not.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(table).to.match(/ sh -c printf "\\x1b]0\.\.\. .* esc +cli-e2e$/m);
    await ok(['rm', 'esc']);
  });

  it('a second `berth up` on the same state dir refuses: exit 125', async () => {
    const r = await berth(['up', '--node', 'other'], env);
    expect(r.code).to.equal(125);
    expect(lines(r.stderr)).to.have.length(1);
    expect(r.stderr).to.match(/^Error: a Redis already answers at unix:\/\/.*\/redis\.sock \(pid \d+\): another `berth up` runs/);
  });

  it('node ls shows the node, live', async () => {
    const nodes = JSON.parse(await ok(['node', 'ls', '--format', 'json'])) as Array<{ name: string; live: boolean }>;
    expect(nodes.map((n) => [n.name, n.live])).to.deep.equal([['cli-e2e', true]]);
  });

  it('run prints the Id; wait prints the exit code; logs splits stdout and stderr', async () => {
    const id = await ok(['run', '-d', '--name', 'seven', '--rootfs', rootfs, 'sh', '-c', 'echo out; echo err >&2; exit 7']);
    expect(id).to.match(ID);
    expect(await ok(['wait', 'seven'])).to.equal('7');
    const logs = await berth(['logs', 'seven'], env);
    expect(logs).to.deep.include({ code: 0, stdout: 'out', stderr: 'err' });
    const [entry] = JSON.parse(await ok(['inspect', id.slice(0, 12)])) as Array<{ Id: string; Name: string; State: { ExitCode: number } }>;
    expect(entry).to.deep.include({ Id: id, Name: 'seven' });
    expect(entry!.State.ExitCode).to.equal(7);
  });

  it('run takes --network, --security-opt and --pids-limit; a rootfs outside the roots is refused', async () => {
    const script = "grep ^Seccomp: /proc/self/status; awk 'NR>2 {print $1}' /proc/net/dev | grep -vc '^lo:'";
    await ok(['run', '-d', '--name', 'boxed', '--rootfs', rootfs, 'sh', '-c', script]);
    expect(await ok(['wait', 'boxed'])).to.equal('1'); // grep -c counted no interface but lo
    expect((await berth(['logs', 'boxed'], env)).stdout).to.equal('Seccomp:\t2\n0');
    await ok(['run', '-d', '--name', 'open', '--network', 'host', '--security-opt', 'seccomp=unconfined', '--pids-limit', '-1', '--rootfs', rootfs, 'sh', '-c', script]);
    expect(await ok(['wait', 'open'])).to.equal('0');
    expect((await berth(['logs', 'open'], env)).stdout).to.match(/^Seccomp:\t0\n[1-9]/);
    const outside = await berth(['create', '--rootfs', '/usr', 'true'], env);
    expect(outside.code).to.equal(125);
    expect(outside.stderr).to.equal(
      `Error: create: rootfs "/usr" is outside the rootfs roots of node cli-e2e (${join(dir, 'rootfs')}): start its worker with --rootfs-root to allow a directory`,
    );
    await ok(['rm', 'boxed', 'open']);
  });

  it('ps lists running containers, ps -a all of them, in Podman shapes', async () => {
    const id = await ok(['create', '--name', 'sleeper', '--stop-timeout', '5', '--rootfs', rootfs, 'sh', '-c', 'trap "exit 3" TERM; while :; do sleep 0.1; done']);
    expect(id).to.match(ID);
    expect(await ok(['start', 'sleeper'])).to.equal('sleeper');
    const table = (await ok(['ps'])).split('\n');
    expect(table[0]).to.match(/^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES +NODE$/);
    expect(table.slice(1)).to.have.length(1);
    expect(table[1]).to.match(new RegExp(`^${id.slice(0, 12)} +\\S+ +sh -c trap "exit \\.\\.\\. +.* ago +Up .* +sleeper +cli-e2e$`));
    const all = JSON.parse(await ok(['ps', '-a', '--format', 'json'])) as PsEntry[];
    expect(all.map((c) => [c.Names[0], c.State])).to.deep.include.members([['sleeper', 'running']]);
    const seven = all.find((c) => c.Names[0] === 'seven');
    expect(seven).to.deep.include({ Exited: true, ExitCode: 7, Node: 'cli-e2e', Command: ['sh', '-c', 'echo out; echo err >&2; exit 7'] });
  });

  it('a refused command names the container, the command and the state; an unknown name stops the verb before it acts (Podman 4)', async () => {
    expect(await ok(['pause', 'sleeper'])).to.equal('sleeper');
    const r = await berth(['stop', 'sleeper'], env);
    expect(r).to.deep.include({ code: 125, stdout: '' });
    expect(r.stderr).to.equal('Error: cannot stop container sleeper in state paused: container state improper');
    const many = await berth(['unpause', 'nosuch', 'sleeper'], env);
    expect(many).to.deep.include({ code: 125, stdout: '', stderr: 'Error: no container with name or ID "nosuch" found: no such container' });
    expect(JSON.parse(await ok(['inspect', '--format', '{{json .State.Status}}', 'sleeper'])), 'sleeper not acted on').to.equal('paused');
    expect(await ok(['unpause', 'sleeper'])).to.equal('sleeper');
  });

  it('stop blocks until the container is cleaned up; inspect takes a template', async () => {
    expect(await ok(['stop', 'sleeper'])).to.equal('sleeper');
    expect(await ok(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}', 'sleeper'])).to.equal('exited 3 false');
    expect(await ok(['wait', 'sleeper', 'seven'])).to.equal('3\n7');
  });

  it('history lists every transition, as JSON or a table', async () => {
    const history = JSON.parse(await ok(['history', 'sleeper', '--format', 'json'])) as HistoryEntry[];
    expect(history[0]).to.deep.include({ from: '', to: 'configured', command: 'create', node: 'cli-e2e' });
    expect(Object.keys(history[0]!).sort()).to.deep.equal(['at', 'command', 'from', 'jobId', 'ms', 'node', 'to']);
    const commands = history.map((h) => h.command);
    for (const c of ['create', 'start', 'pause', 'unpause', 'stop']) expect(commands, c).to.include(c);
    expect(history.at(-1)!.to).to.equal('exited');
    const table = (await ok(['history', 'sleeper'])).split('\n');
    expect(table[0]).to.match(/^AT +FROM +TO +COMMAND +NODE +MS +JOB$/);
    expect(table).to.have.length(history.length + 1);
  });

  it('--no-wait prints the job id', async () => {
    const jobId = await ok(['start', '--no-wait', 'sleeper']);
    expect(jobId).to.match(/^[0-9a-f]{64}-\d+$/);
  });

  it('rm refuses a running container (exit 2, as Podman); rm -f stops it first; rm takes several', async () => {
    expect(await ok(['run', '-d', '--name', 'forever', '--rootfs', rootfs, 'sleep', '1000'])).to.match(ID);
    const refused = await berth(['rm', 'forever'], env);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.equal('Error: cannot remove container forever in state running: container state improper');
    // sleep as PID 1 ignores the stop signal: SIGKILL after -t 1
    expect(await ok(['rm', '-f', '-t', '1', 'forever', 'sleeper'])).to.equal('forever\nsleeper');
    expect(await ok(['rm', 'seven'])).to.equal('seven');
    expect(JSON.parse(await ok(['ps', '-a', '--format', 'json']))).to.deep.equal([]);
  });

  it('Ctrl-C stops the worker, then Redis, and exits 0', async () => {
    up.kill('SIGINT');
    const r = await up;
    expect(r.exitCode).to.equal(0);
    expect(existsSync(join(dir, 'redis.sock'))).to.equal(false);
  });
});
