/**
 * client.attach end to end on real runc and conmon, through the queue and the output streams:
 * attaching to a running container gives its output from then on and its run's exit code; a
 * start attached first loses nothing; a terminal (-t) gives one stream with runc's pty; a detach
 * leaves the container running; states attach does not take are refused, changing nothing.
 */
import type { Readable } from 'node:stream';
import { expect } from 'chai';
import { BerthError } from '../../src/errors.js';
import { settled, startStack, type Stack } from '../helpers/stack.js';

/** Everything a stream gives until it ends, as text. */
async function all(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a stream until its text so far contains `what`. */
async function until(stream: Readable, what: string): Promise<string> {
  let text = '';
  for await (const c of stream.iterator({ destroyOnReturn: false })) {
    text += (c as Buffer).toString('utf8');
    if (text.includes(what)) return text;
  }
  throw new Error(`the stream ended before "${what}" (got ${JSON.stringify(text)})`);
}

async function refusal(p: Promise<unknown>): Promise<BerthError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(BerthError);
    return err as BerthError;
  }
  throw new Error('expected a BerthError');
}

describe('e2e: attach', function () {
  this.timeout(60_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack('at'); // a short name: conmon's attach socket path must fit sun_path (108 bytes)
  });
  after(async () => {
    await stack?.close();
  });

  it('attached to a running container: only what it writes from then on, then its exit code', async () => {
    const { client } = stack;
    // "after" on SIGUSR1, then exit 4; `wait` is interrupted by the trapped signal
    await client.create({ name: 'talker', rootfs: stack.rootfs, command: ['sh', '-c', 'trap "echo after; echo gone >&2; exit 4" USR1; echo before; sleep 1000 & wait'] });
    await client.start('talker');
    const early = client.logs('talker', { follow: true })[Symbol.asyncIterator]();
    expect((await early.next()).value).to.include({ text: 'before' });
    await early.return?.();

    const a = await client.attach('talker');
    expect(a).to.include({ name: 'talker', tty: false, stdin: null });
    const out = all(a.stdout);
    const err = all(a.stderr);
    await client.kill('talker', { signal: 'SIGUSR1' });
    expect(await a.exitCode).to.equal(4);
    expect(await out).to.equal('after\n');
    expect(await err).to.equal('gone\n');
    expect(await stack.runc(a.id).then((s) => s?.status ?? 'gone')).to.not.equal('running');
  });

  it('start attached: all of the run, stdout and stderr apart, and its exit code', async () => {
    const { client } = stack;
    await client.create({ name: 'short', rootfs: stack.rootfs, command: ['sh', '-c', 'echo a; echo b >&2; exit 3'] });
    const a = await client.attach('short', { start: true });
    const [out, err, code] = await Promise.all([all(a.stdout), all(a.stderr), a.exitCode]);
    expect({ out, err, code }).to.deep.equal({ out: 'a\n', err: 'b\n', code: 3 });
    expect(await client.wait('short'), 'the end entry comes before the exit is committed').to.equal(3);

    // again, from exited: the new run only, not the first one's output
    const again = await client.attach('short', { start: true });
    const [out2, code2] = await Promise.all([all(again.stdout), again.exitCode, all(again.stderr)]);
    expect({ out2, code2 }).to.deep.equal({ out2: 'a\n', code2: 3 });
  });

  it('-t: runc gives the process a terminal; its output is one stream, with the terminal\'s CRLF', async () => {
    const { client } = stack;
    const created = await client.create({ name: 'tty', rootfs: stack.rootfs, tty: true, command: ['sh', '-c', 'tty; echo err >&2; exit 2'] });
    expect(created.Config).to.include({ Tty: true, OpenStdin: false });
    const a = await client.attach('tty', { start: true });
    expect(a.tty).to.equal(true);
    const [out, err, code] = await Promise.all([all(a.stdout), all(a.stderr), a.exitCode]);
    expect(out).to.equal('/dev/pts/0\r\nerr\r\n');
    expect(err).to.equal('');
    expect(code).to.equal(2);
  });

  it('a detach stops the streams and leaves the container running', async () => {
    const { client } = stack;
    await client.create({ name: 'stay', rootfs: stack.rootfs, command: ['sh', '-c', 'echo up; sleep 1000'] });
    const a = await client.attach('stay', { start: true });
    expect(await until(a.stdout, 'up\n')).to.equal('up\n');
    a.detach();
    expect(await a.exitCode).to.equal(null);
    expect(await all(a.stdout)).to.equal('');
    expect((await client.inspect('stay')).State.Status).to.equal('running');
    expect((await stack.runc(a.id))?.status).to.equal('running');
    await client.remove('stay', { force: true });
  });

  it('-i: attach writes to a running container\'s stdin and end() is its EOF; stdin: false leaves it alone', async () => {
    const { client } = stack;
    await client.create({ name: 'reader', rootfs: stack.rootfs, stdin: true, command: ['sh', '-c', 'echo ready; cat; echo eof'] });
    const a = await client.attach('reader', { start: true });
    expect(await until(a.stdout, 'ready\n')).to.equal('ready\n');
    const quiet = await client.attach('reader', { stdin: false });
    expect(quiet.stdin).to.equal(null);
    const seen = all(quiet.stdout);
    a.stdin!.write(Buffer.from('one\n'));
    a.stdin!.end(Buffer.from('two\n'));
    expect(await a.exitCode).to.equal(0);
    expect(await quiet.exitCode).to.equal(0);
    expect(await seen, 'a second attachment sees the same output').to.equal('one\ntwo\neof\n');
    expect(await all(a.stdout)).to.equal('one\ntwo\neof\n');
  });

  it('refuses a configured or exited container (ECTRSTATE naming the state) and an unknown one (ENOCTR), changing nothing', async () => {
    const { client } = stack;
    await client.create({ name: 'idle', rootfs: stack.rootfs, command: ['true'] });
    const before = await client.inspect('idle');
    const e = await refusal(client.attach('idle'));
    expect(e).to.include({ code: 'ECTRSTATE', state: 'configured', command: 'attach' });
    expect(e.message).to.equal('cannot attach container idle in state configured: container state improper');
    expect((await client.inspect('idle')).Version).to.equal(before.Version);

    await client.start('idle');
    await settled(client, 'idle', 'exited');
    expect(await refusal(client.attach('idle'))).to.include({ code: 'ECTRSTATE', state: 'exited' });
    expect(await refusal(client.attach('nosuch'))).to.include({ code: 'ENOCTR' });
    const bad = await refusal(client.attach('idle', { stdin: 'yes', follow: true } as never));
    expect(bad).to.include({ code: 'EINVAL' });
    expect(bad.message).to.match(/^invalid attach options: /);
    expect(await stack.runc((await client.inspect('idle')).Id)).to.equal(null);
  });

  it('start attached refuses a paused container as start does (ECTRSTATE), leaving it paused', async () => {
    const { client } = stack;
    await client.create({ name: 'running-one', rootfs: stack.rootfs, command: ['sleep', '1000'] });
    await client.start('running-one');
    await client.pause('running-one');
    const e = await refusal(client.attach('running-one', { start: true }));
    expect(e).to.include({ code: 'ECTRSTATE', state: 'paused', command: 'start' });
    expect((await stack.runc((await client.inspect('running-one')).Id))?.status).to.equal('paused');
    await client.remove('running-one', { force: true });
  });
});
