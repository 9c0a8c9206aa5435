/**
 * Containers' output through their streams, end to end on real runc and conmon through the
 * queue: a following client sees each line as it is written and stops at the run's end with its
 * exit code; bytes come through unchanged; since / until / tail; a restart appends to conmon's
 * log (same file) and both runs come through once; the bound holds; removal drops the stream.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { BerthError } from '../../src/errors.js';
import type { LogLine } from '../../src/queue/log-reader.js';
import { startStack, type Stack } from '../helpers/stack.js';

/** Every line of a (non-following) read, as text. */
async function texts(stream: AsyncIterable<LogLine>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of stream) out.push(`${l.stream === 'stderr' ? 'E:' : ''}${l.text}${l.partial ? '…' : ''}`);
  return out;
}

describe('e2e: logs through the output streams', function () {
  this.timeout(60_000);
  let stack: Stack;

  before(async () => {
    stack = await startStack('logs', { logMaxLines: 100 });
  });
  after(async () => {
    await stack?.close();
  });

  const run = async (name: string, script: string) => {
    await stack.client.create({ name, rootfs: stack.rootfs, command: ['sh', '-c', script] });
    return stack.client.start(name);
  };

  it('follows live output: each line as the container writes it, then the end with its exit code', async () => {
    // a line on each SIGUSR1; SIGTERM ends it with 3
    await run('talker', 'echo ready; trap "echo got usr1" USR1; trap "echo bye >&2; exit 3" TERM; while :; do sleep 0.05; done');
    const stream = stack.client.logs('talker', { follow: true });
    const it = stream[Symbol.asyncIterator]();
    expect((await it.next()).value).to.include({ text: 'ready', stream: 'stdout' });
    await stack.client.kill('talker', { signal: 'SIGUSR1' });
    expect((await it.next()).value).to.include({ text: 'got usr1' });
    await stack.client.kill('talker', { signal: 'SIGUSR1' });
    expect((await it.next()).value).to.include({ text: 'got usr1' });
    const stopped = stack.client.stop('talker', { timeout: 10 });
    expect((await it.next()).value).to.include({ text: 'bye', stream: 'stderr' });
    expect((await it.next()).done, 'the end entry ends the follow').to.equal(true);
    expect(stream.end).to.include({ run: 1, exitCode: 3 });
    expect((await stopped).State.ExitCode).to.equal(3);
  });

  it('-f with until ends at that time, the container still running; an until passed already ends after what there is', async () => {
    await run('lasting', 'echo early; trap "exit 0" TERM; while :; do sleep 0.05; done');
    const first = stack.client.logs('lasting', { follow: true });
    const it = first[Symbol.asyncIterator]();
    const { value } = await it.next();
    expect(value).to.include({ text: 'early' });
    const t = value!.time;
    // until a moment from now: the follow ends then, though the container runs on
    const bounded = stack.client.logs('lasting', { follow: true, until: new Date(Date.now() + 300) });
    expect(await texts(bounded)).to.deep.equal(['early']);
    expect(bounded.end).to.equal(null);
    expect(await texts(stack.client.logs('lasting', { follow: true, until: t }))).to.deep.equal(['early']);
    await it.return?.();
    expect((await stack.client.inspect('lasting')).State.Status).to.equal('running');
    await stack.client.stop('lasting');
  });

  it('on a container that is not running, -f prints what there is and ends', async () => {
    await run('done', 'echo one; echo two; exit 4');
    expect(await stack.client.wait('done')).to.equal(4);
    // the exit is committed after the run's output and end entry are in the stream
    const stream = stack.client.logs('done', { follow: true });
    expect(await texts(stream)).to.deep.equal(['one', 'two']);
    expect(stream.end).to.equal(null);
  });

  it('passes \\r, lines over 64 KiB and invalid UTF-8 through unchanged', async () => {
    await run('bytes', "printf 'a\\rb\\n'; head -c 70000 /dev/zero | tr '\\000' x; echo; printf '\\377\\376ok\\n'; printf 'no newline'");
    await stack.client.wait('bytes');
    const lines: LogLine[] = [];
    for await (const l of stack.client.logs('bytes')) lines.push(l);
    expect(lines.map((l) => l.bytes.length)).to.deep.equal([3, 70_000, 4, 10]);
    expect(lines[0]!.bytes.equals(Buffer.from('a\rb'))).to.equal(true);
    expect(lines[1]!.bytes.equals(Buffer.alloc(70_000, 'x'))).to.equal(true);
    expect(lines[2]!.bytes.equals(Buffer.from([0xff, 0xfe, 0x6f, 0x6b]))).to.equal(true);
    expect(lines.map((l) => l.partial)).to.deep.equal([false, false, false, true]);
  });

  it('since, until and tail, as Podman reads them', async () => {
    // apart in time: conmon stamps everything it reads from the pipe at once with one time
    await run('counted', 'for i in 1 2 3 4 5; do echo line$i; sleep 0.01; done');
    await stack.client.wait('counted');
    const all: LogLine[] = [];
    for await (const l of stack.client.logs('counted')) all.push(l);
    expect(all.map((l) => l.text)).to.deep.equal(['line1', 'line2', 'line3', 'line4', 'line5']);
    const t3 = all[2]!.time;
    expect(await texts(stack.client.logs('counted', { since: t3 }))).to.deep.equal(['line3', 'line4', 'line5']);
    expect(await texts(stack.client.logs('counted', { until: t3 }))).to.deep.equal(['line1', 'line2', 'line3']);
    expect(await texts(stack.client.logs('counted', { tail: 2 }))).to.deep.equal(['line4', 'line5']);
    expect(await texts(stack.client.logs('counted', { tail: 0 }))).to.deep.equal([]);
    expect(await texts(stack.client.logs('counted', { tail: 9 }))).to.have.length(5);
    expect(await texts(stack.client.logs('counted', { tail: 4, since: t3 }))).to.deep.equal(['line3', 'line4', 'line5']);
    expect(await texts(stack.client.logs('counted', { since: '10m' }))).to.have.length(5);
    expect(await texts(stack.client.logs('counted', { until: '10m' })), 'until: 10 minutes from now, as Podman').to.have.length(5);
    expect(await texts(stack.client.logs('counted', { since: new Date(Date.now() + 60_000) }))).to.deep.equal([]);
    expect(() => stack.client.logs('counted', { since: 'yesterday' })).to.throw(/`since` must be an RFC 3339 time/);
  });

  it('a restart appends to the same conmon log; both runs come through once; -f ends at the current run', async () => {
    // each run says "run" and waits for SIGUSR1 to end
    await run('twice', 'echo run; trap "exit 0" USR1; while :; do sleep 0.05; done');
    await stack.client.kill('twice', { signal: 'SIGUSR1' });
    await stack.client.wait('twice');
    const { Id } = await stack.client.inspect('twice');
    const file = join(stack.stateDir, 'logs', `${Id}.log`);
    const first = statSync(file);
    await stack.client.start('twice');
    const follow = stack.client.logs('twice', { follow: true });
    const it = follow[Symbol.asyncIterator]();
    expect((await it.next()).value).to.include({ text: 'run' });
    expect((await it.next()).value, 'the first run\'s end does not end this follow').to.include({ text: 'run' });
    await stack.client.kill('twice', { signal: 'SIGUSR1' });
    const lines = ['run', 'run', ...(await texts({ [Symbol.asyncIterator]: () => it }))];
    const second = statSync(file);
    // conmon opens its k8s-file log to append: a second run adds to the same file
    expect(second.ino).to.equal(first.ino);
    expect(second.size).to.equal(2 * first.size);
    expect(lines).to.deep.equal(['run', 'run']);
    expect(follow.end).to.include({ run: 2, exitCode: 0 });
  });

  it('keeps about logMaxLines lines (the newest), in order', async () => {
    await run('chatty', 'i=1; while [ $i -le 1000 ]; do echo n$i; i=$((i+1)); done');
    await stack.client.wait('chatty');
    const lines = await texts(stack.client.logs('chatty'));
    expect(lines.length).to.be.within(100, 200); // Redis trims whole nodes of 100 entries
    expect(lines.at(-1)).to.equal('n1000');
    const first = Number(lines[0]!.slice(1));
    expect(lines).to.deep.equal(lines.map((_, i) => `n${first + i}`));
  });

  it('removal drops the stream; logs of a removed container is ENOCTR', async () => {
    await run('gone', 'echo bye');
    await stack.client.wait('gone');
    const { Id } = await stack.client.inspect('gone');
    const key = stack.client.keys.container(Id).output;
    expect(await stack.client.store.redis.exists(key)).to.equal(1);
    await stack.client.remove('gone');
    expect(await stack.client.store.redis.exists(key)).to.equal(0);
    const e = await texts(stack.client.logs('gone')).then(
      () => expect.fail('logs of a removed container'),
      (err: BerthError) => err,
    );
    expect(e.code).to.equal('ENOCTR');
  });
});
