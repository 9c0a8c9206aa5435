/**
 * Flag validation at the CLI boundary: each parser returns the typed value or throws EINVAL
 * naming the flag and echoing the value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { BerthError } from '../../src/errors.js';
import { checkWorkerFlags } from '../../src/cli/commands/worker.js';
import { specFromFlags } from '../../src/cli/commands/create.js';
import {
  collect,
  parseEnvFlag,
  parseFormat,
  parseLogLevel,
  parseNameFlag,
  parseNetworkFlag,
  parsePidsLimit,
  parsePositiveInt,
  parseSecurityOpts,
  parseSeconds,
  parseSignalFlag,
  sanitizeNodeName,
} from '../../src/cli/flags.js';

function refusal(fn: () => unknown): BerthError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(BerthError);
    expect((err as BerthError).code).to.equal('EINVAL');
    return err as BerthError;
  }
  throw new Error('expected EINVAL');
}

describe('cli flags', () => {
  it('--env takes KEY=VALUE (the value may be empty or hold "=")', () => {
    for (const ok of ['A=1', 'A=', 'PATH=/bin:/usr/bin', 'X=a=b']) expect(parseEnvFlag(ok)).to.equal(ok);
    for (const bad of ['A', '=1', '']) {
      expect(refusal(() => parseEnvFlag(bad)).message).to.equal(`\`--env\` must be KEY=VALUE, got "${bad}"`);
    }
    for (const [bad, key] of [['A B=1', 'A B'], ['my-var=1', 'my-var'], ['1A=x', '1A'], ['__proto__=x', '__proto__']]) {
      expect(refusal(() => parseEnvFlag(bad!)).message).to.equal(`\`--env\` takes a variable name (letters, digits and _, not starting with a digit), got "${key}"`);
    }
  });

  it('--network takes none or host', () => {
    expect(parseNetworkFlag('none')).to.equal('none');
    expect(parseNetworkFlag('host')).to.equal('host');
    expect(refusal(() => parseNetworkFlag('bridge')).message).to.equal('`--network` must be none or host (Berth sets up no other network), got "bridge"');
  });

  it('--pids-limit takes a whole number >= -1 (0 and -1: unlimited)', () => {
    expect([parsePidsLimit('100'), parsePidsLimit('0'), parsePidsLimit('-1')]).to.deep.equal([100, 0, -1]);
    for (const bad of ['-2', '1.5', 'x', '']) {
      expect(refusal(() => parsePidsLimit(bad)).message).to.equal(`\`--pids-limit\` must be a whole number >= -1 (0 or -1: unlimited), got "${bad}"`);
    }
  });

  it('--security-opt takes seccomp=unconfined or seccomp=FILE, reading and checking FILE here', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-secopt-'));
    try {
      writeFileSync(join(dir, 'deny-mkdir.json'), JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] }));
      writeFileSync(join(dir, 'bad.json'), '{"defaultAction": "SCMP_ACT_MAYBE"}');
      expect(parseSecurityOpts([])).to.equal(undefined);
      expect(parseSecurityOpts(['seccomp=unconfined'])).to.equal('unconfined');
      expect(parseSecurityOpts(['seccomp=deny-mkdir.json'], dir)).to.deep.equal({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] });
      expect(parseSecurityOpts(['seccomp=deny-mkdir.json', 'seccomp=unconfined'], dir)).to.equal('unconfined');
      expect(refusal(() => parseSecurityOpts(['label=disable'])).message).to.equal('`--security-opt` takes seccomp=unconfined or seccomp=FILE, got "label=disable"');
      expect(refusal(() => parseSecurityOpts(['seccomp=none.json'], dir)).message).to.equal(`\`--security-opt\` seccomp=none.json: cannot read ${join(dir, 'none.json')} (ENOENT)`);
      expect(refusal(() => parseSecurityOpts(['seccomp=bad.json'], dir)).message).to.match(
        new RegExp(`^\`--security-opt\`: seccomp profile ${join(dir, 'bad.json')} is invalid: defaultAction: actions are SCMP_ACT_KILL, `),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('worker --rootfs-root is repeatable, resolved against the working dir, and never /', () => {
    expect(checkWorkerFlags({}).rootfsRoots).to.equal(undefined);
    expect(checkWorkerFlags({ rootfsRoot: ['/srv/a/', 'b'] }, '/work').rootfsRoots).to.deep.equal(['/srv/a', '/work/b']);
    expect(refusal(() => checkWorkerFlags({ rootfsRoot: ['/srv', '/'] })).message).to.equal('`--rootfs-root` must not include /: a container could see the whole host');
    expect(refusal(() => checkWorkerFlags({ rootfsRoot: ['/srv/..'] })).message).to.contain('must not include /');
  });

  it('-t and --stop-timeout take whole seconds >= 0', () => {
    expect(parseSeconds('-t', '0')).to.equal(0);
    expect(parseSeconds('-t', '10')).to.equal(10);
    for (const bad of ['-1', '1.5', 'x', '', '1e3', '99999999999999999999']) {
      expect(refusal(() => parseSeconds('--stop-timeout', bad)).message).to.equal(
        `\`--stop-timeout\` must be a whole number of seconds >= 0, got "${bad}"`,
      );
    }
  });

  it('--concurrency takes a positive integer', () => {
    expect(parsePositiveInt('--concurrency', '1')).to.equal(1);
    expect(parsePositiveInt('--concurrency', '16')).to.equal(16);
    for (const bad of ['0', '-2', 'x', '2.5']) {
      expect(refusal(() => parsePositiveInt('--concurrency', bad)).message).to.equal(`\`--concurrency\` must be a positive integer, got "${bad}"`);
    }
  });

  it('-s and --stop-signal take a known signal, by name or number, and give its canonical name', () => {
    expect(parseSignalFlag('-s', 'TERM')).to.equal('SIGTERM');
    expect(parseSignalFlag('-s', 'sigkill')).to.equal('SIGKILL');
    expect(parseSignalFlag('-s', '9')).to.equal('SIGKILL');
    expect(parseSignalFlag('--stop-signal', 'SIGUSR1')).to.equal('SIGUSR1');
    expect(refusal(() => parseSignalFlag('-s', 'NOPE')).message).to.equal('unknown signal "NOPE" for `-s`');
    expect(refusal(() => parseSignalFlag('-s', '999')).message).to.contain('unknown signal');
  });

  it("--name and --node follow Podman's name pattern", () => {
    for (const ok of ['web', 'a', 'web-1.b_c', '0abc']) expect(parseNameFlag('--name', ok)).to.equal(ok);
    for (const bad of ['-bad', '.x', '_x', 'bad name', '', 'a/b', 'x'.repeat(254)]) {
      expect(refusal(() => parseNameFlag('--name', bad)).message).to.match(/^invalid name ".*" for `--name`: names must match/);
    }
  });

  it('--log-level and --format take one of their names', () => {
    expect(parseLogLevel('debug')).to.equal('debug');
    expect(refusal(() => parseLogLevel('loud')).message).to.contain('`--log-level` must be one of fatal, error');
    expect(parseFormat('json', ['table', 'json'] as const)).to.equal('json');
    expect(refusal(() => parseFormat('yaml', ['table', 'json'] as const)).message).to.equal('`--format` must be table or json, got "yaml"');
  });

  it('collects repeated flags in order', () => {
    expect(collect('B=2', collect('A=1', undefined))).to.deep.equal(['A=1', 'B=2']);
  });

  it('turns a hostname into a node name', () => {
    expect(sanitizeNodeName('box1')).to.equal('box1');
    expect(sanitizeNodeName('my host.local')).to.equal('my-host.local');
    expect(sanitizeNodeName('-x')).to.equal('x');
    expect(sanitizeNodeName('')).to.equal('node');
    expect(sanitizeNodeName('@@')).to.equal('node');
  });

  describe('create flags as a spec', () => {
    it('maps every flag, resolving a relative rootfs against the working dir', () => {
      const spec = specFromFlags(
        'sh',
        ['-c', 'exit 7'],
        {
          name: 'web',
          env: ['A=1', 'B='],
          workdir: '/tmp',
          hostname: 'h1',
          stopSignal: 'INT',
          stopTimeout: '3',
          node: 'n1',
          rootfs: 'rootfs/busybox',
          network: 'host',
          securityOpt: ['seccomp=unconfined'],
          pidsLimit: '64',
        },
        '/srv',
      );
      expect(spec).to.deep.equal({
        name: 'web',
        rootfs: '/srv/rootfs/busybox',
        command: ['sh', '-c', 'exit 7'],
        env: ['A=1', 'B='],
        workdir: '/tmp',
        hostname: 'h1',
        stopSignal: 'SIGINT',
        stopTimeout: 3,
        node: 'n1',
        network: 'host',
        seccomp: 'unconfined',
        pidsLimit: 64,
      });
    });

    it('leaves out what was not given', () => {
      expect(specFromFlags('true', [], { rootfs: '/r' })).to.deep.equal({ rootfs: '/r', command: ['true'] });
    });

    it('refuses a bad flag, naming it', () => {
      expect(refusal(() => specFromFlags('true', [], { rootfs: '/r', name: 'bad name' })).message).to.contain('`--name`');
      expect(refusal(() => specFromFlags('true', [], { rootfs: '/r', env: ['A=1', 'NOPE'] })).message).to.contain('`--env`');
      expect(refusal(() => specFromFlags('true', [], { rootfs: '/r', stopTimeout: '-1' })).message).to.contain('`--stop-timeout`');
      expect(refusal(() => specFromFlags('true', [], { rootfs: '/r', stopSignal: 'NOPE' })).message).to.contain('`--stop-signal`');
      expect(refusal(() => specFromFlags('true', [], { rootfs: '/r', node: '-n' })).message).to.contain('`--node`');
      expect(refusal(() => specFromFlags('true', [], { rootfs: '/r', network: 'slirp4netns' })).message).to.contain('`--network`');
      expect(refusal(() => specFromFlags('true', [], { rootfs: '/r', securityOpt: ['apparmor=x'] })).message).to.contain('`--security-opt`');
      expect(refusal(() => specFromFlags('true', [], { rootfs: '/r', pidsLimit: 'lots' })).message).to.contain('`--pids-limit`');
    });
  });
});
