/**
 * The container spec at the boundary: what could only fail later (at runc create, exec or stop) is
 * refused here with a short EINVAL naming the field; the isolation fields default to Podman's.
 */
import { expect } from 'chai';
import { BerthError } from '../src/errors.js';
import { MAX_ARG_STRLEN, parseSpec, type ContainerSpec } from '../src/spec.js';

const base = { rootfs: '/srv/rootfs', command: ['sh'] };

function refusal(input: unknown): string {
  try {
    parseSpec(input, 'fallback');
  } catch (err) {
    expect(err).to.be.instanceOf(BerthError);
    expect((err as BerthError).code).to.equal('EINVAL');
    const message = (err as BerthError).message;
    expect(message.length, 'short, never the input echoed').to.be.below(300);
    return message;
  }
  throw new Error('expected EINVAL');
}

const spec = (extra: Record<string, unknown>): ContainerSpec => parseSpec({ ...base, ...extra }, 'fallback');

describe('spec: parseSpec', () => {
  it("fills Podman's defaults: network none, the default seccomp profile, pids limit 2048", () => {
    expect(spec({})).to.deep.equal({
      name: 'fallback',
      rootfs: '/srv/rootfs',
      command: ['sh'],
      env: [],
      workdir: '/',
      hostname: 'fallback',
      stopSignal: 'SIGTERM',
      stopTimeout: 10,
      node: undefined,
      network: 'none',
      seccomp: 'default',
      pidsLimit: 2048,
      stdin: false,
      tty: false,
    });
  });

  it("takes Podman's -i and -t as stdin and tty, booleans only", () => {
    expect(spec({ stdin: true, tty: true })).to.include({ stdin: true, tty: true });
    expect(spec({ stdin: true })).to.include({ stdin: true, tty: false });
    expect(refusal({ ...base, tty: 'yes' })).to.equal('invalid container spec: tty: tty is true or false');
    expect(refusal({ ...base, stdin: 1 })).to.equal('invalid container spec: stdin: stdin is true or false');
  });

  it('takes network host, seccomp unconfined or a profile, and a pids limit (0 or -1: unlimited)', () => {
    const profile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] };
    expect(spec({ network: 'host', seccomp: 'unconfined', pidsLimit: 10 })).to.include({ network: 'host', seccomp: 'unconfined', pidsLimit: 10 });
    expect(spec({ seccomp: profile }).seccomp).to.deep.equal(profile);
    expect(spec({ pidsLimit: 0 }).pidsLimit).to.equal(0);
    expect(spec({ pidsLimit: -1 }).pidsLimit).to.equal(0);
    expect(refusal({ ...base, network: 'bridge' })).to.equal('invalid container spec: network: network is none or host');
    expect(refusal({ ...base, pidsLimit: -2 })).to.equal('invalid container spec: pidsLimit: pidsLimit is at least -1 (0 or -1: unlimited)');
    expect(refusal({ ...base, pidsLimit: 1.5 })).to.equal('invalid container spec: pidsLimit: pidsLimit is a whole number');
    expect(refusal({ ...base, seccomp: 'strict' })).to.equal('invalid container spec: seccomp: seccomp is "default", "unconfined" or a seccomp profile object');
    expect(refusal({ ...base, seccomp: { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/x.sock' } })).to.equal(
      'invalid container spec: seccomp.listenerPath: listenerPath is not supported (a notify listener would be a socket on the node)',
    );
    expect(refusal({ ...base, seccomp: { defaultAction: 'SCMP_ACT_NOTIFY' } })).to.match(/^invalid container spec: seccomp\.defaultAction: actions are SCMP_ACT_KILL, /);
  });

  it('refuses NUL bytes in args, env and workdir', () => {
    expect(refusal({ ...base, command: ['sh', '-c', 'a\0b'] })).to.equal('invalid container spec: command.2: contains a NUL byte');
    expect(refusal({ ...base, env: ['A=x\0y'] })).to.equal('invalid container spec: env.0: contains a NUL byte');
    expect(refusal({ ...base, env: { A: 'x\0y' } })).to.equal('invalid container spec: env: "A" contains a NUL byte');
    expect(refusal({ ...base, workdir: '/srv\0' })).to.equal('invalid container spec: workdir: workdir contains a NUL byte');
    expect(refusal({ ...base, rootfs: '/srv\0' })).to.equal('invalid container spec: rootfs: rootfs contains a NUL byte');
  });

  it('refuses an argument or env entry over MAX_ARG_STRLEN (its NUL counted), and takes one just under', () => {
    const limit = 'invalid container spec: command.1: is longer than the kernel takes (MAX_ARG_STRLEN: 131072 bytes with its NUL)';
    expect(spec({ command: ['echo', 'x'.repeat(MAX_ARG_STRLEN - 1)] }).command[1]).to.have.length(MAX_ARG_STRLEN - 1);
    expect(refusal({ ...base, command: ['echo', 'x'.repeat(MAX_ARG_STRLEN)] })).to.equal(limit);
    expect(refusal({ ...base, command: ['echo', 'é'.repeat(MAX_ARG_STRLEN / 2)] })).to.equal(limit); // bytes, not characters
    expect(refusal({ ...base, env: [`A=${'x'.repeat(MAX_ARG_STRLEN)}`] })).to.match(/^invalid container spec: env\.0: is longer than the kernel takes/);
    expect(refusal({ ...base, env: { A: 'x'.repeat(MAX_ARG_STRLEN - 2) } })).to.match(/^invalid container spec: env: "A" is longer than the kernel takes/);
  });

  it('refuses a stop signal that is not a signal, and keeps a real one by its name', () => {
    expect(refusal({ ...base, stopSignal: 'SIGNOPE' })).to.equal(
      'invalid container spec: stopSignal: stopSignal is not a signal (a name such as SIGTERM or TERM, or a number)',
    );
    expect(refusal({ ...base, stopSignal: '99' })).to.contain('stopSignal is not a signal');
    expect(spec({ stopSignal: 'int' }).stopSignal).to.equal('SIGINT');
    expect(spec({ stopSignal: '15' }).stopSignal).to.equal('SIGTERM');
  });

  it('refuses a relative or empty workdir, and an empty command', () => {
    expect(refusal({ ...base, workdir: 'srv' })).to.equal('invalid container spec: workdir: workdir must be an absolute path');
    expect(refusal({ ...base, workdir: '' })).to.equal('invalid container spec: workdir: workdir must be an absolute path');
    expect(refusal({ ...base, command: [''] })).to.equal('invalid container spec: command: the command (its first word) must not be empty');
  });

  it('refuses env names that are not names, __proto__ included (in either form), instead of dropping them', () => {
    const invalid = 'is not a valid variable name (letters, digits and _, not starting with a digit)';
    expect(refusal({ ...base, env: JSON.parse('{"__proto__": "x", "A": "1"}') as unknown })).to.equal('invalid container spec: env: "__proto__" is not allowed as a variable name');
    expect(refusal({ ...base, env: ['__proto__=x'] })).to.equal('invalid container spec: env.0: "__proto__" is not allowed as a variable name');
    expect(refusal({ ...base, env: { 'my-var': '1' } })).to.equal(`invalid container spec: env: "my-var" ${invalid}`);
    expect(refusal({ ...base, env: ['1A=1'] })).to.equal(`invalid container spec: env.0: "1A" ${invalid}`);
    expect(refusal({ ...base, env: ['NOEQUALS'] })).to.equal('invalid container spec: env.0: must be KEY=VALUE');
    expect(refusal({ ...base, env: { A: 1 } })).to.equal('invalid container spec: env: "A" must be a string');
    expect(refusal({ ...base, env: 'A=1' })).to.equal('invalid container spec: env: env must be a list of KEY=VALUE entries or an object of names to values');
    // an object made with another prototype (a literal `{ __proto__: … }`) hides keys: refused too
    expect(refusal({ ...base, env: Object.create({ A: '1' }) as unknown })).to.contain('env must be a list');
    expect(spec({ env: { A: '1', _b2: '' } }).env).to.deep.equal(['A=1', '_b2=']);
    expect(spec({ env: ['A=1=2', 'B='] }).env).to.deep.equal(['A=1=2', 'B=']);
  });

  it('names a long bad key shortened, never in full', () => {
    const message = refusal({ ...base, env: { [`${'k'.repeat(5000)}-`]: '1' } });
    expect(message).to.match(/^invalid container spec: env: "k{40}…" is not a valid variable name/);
  });

  it('is idempotent: its output parses again to itself (clients store it, the node parses it again)', () => {
    const once = spec({ env: { A: '1' }, stopSignal: 'TERM', pidsLimit: -1, stdin: true, tty: true });
    expect(parseSpec(once, 'other')).to.deep.equal({ ...once });
  });
});
