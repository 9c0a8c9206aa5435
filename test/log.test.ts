/** The logger never writes a Redis URL's password: fields, nested fields, errors and the message. */
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { pino } from 'pino';
import { BerthError } from '../src/errors.js';
import { loggerOptions } from '../src/log.js';

const SECRET = 'hunter2-S3cret';
const URL_WITH_PASSWORD = `redis://berth:${SECRET}@redis:6379`;

function capture(): { log: pino.Logger; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(String(chunk));
      done();
    },
  });
  return { log: pino(loggerOptions('info', 'n1'), sink), lines: () => out.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('log: secrets are redacted', () => {
  it('a URL password in a field, a nested field, an error or the message is ***; password fields whole', () => {
    const { log, lines } = capture();
    log.info({ redis: URL_WITH_PASSWORD, options: { url: URL_WITH_PASSWORD, password: SECRET } }, `connecting to ${URL_WITH_PASSWORD}`);
    log.warn({ err: new BerthError('EUNAVAIL', `cannot reach Redis at ${URL_WITH_PASSWORD}`) }, 'failed');
    log.child({ container: 'c1' }).error('printf %s', URL_WITH_PASSWORD);
    const text = JSON.stringify(lines());
    expect(text).to.not.contain(SECRET);
    const [first, second, third] = lines();
    expect(first).to.deep.include({ redis: 'redis://berth:***@redis:6379', msg: 'connecting to redis://berth:***@redis:6379' });
    expect(first!['options']).to.deep.equal({ url: 'redis://berth:***@redis:6379', password: '***' });
    expect((second!['err'] as { message: string }).message).to.equal('cannot reach Redis at redis://berth:***@redis:6379');
    expect(third).to.deep.include({ container: 'c1', msg: 'printf redis://berth:***@redis:6379' });
  });

  it('leaves everything else alone', () => {
    const { log, lines } = capture();
    log.info({ url: 'http://127.0.0.1:7777/', container: 'web', token: 3 }, 'inspector listening');
    expect(lines()[0]).to.deep.include({ url: 'http://127.0.0.1:7777/', container: 'web', token: 3, node: 'n1', msg: 'inspector listening' });
  });

  it("a container's environment keeps its keys, never its values (a spec's env, an inspect's Config.Env)", () => {
    const { log, lines } = capture();
    log.info({ spec: { env: [`DB_PASSWORD=${SECRET}`, 'PATH=/bin'] }, inspect: { Config: { Env: [`TOKEN=${SECRET}`] } }, env: [`A=${SECRET}`] }, 'created');
    expect(JSON.stringify(lines())).to.not.contain(SECRET);
    expect(lines()[0]).to.deep.include({ spec: { env: ['DB_PASSWORD', 'PATH'] }, inspect: { Config: { Env: ['TOKEN'] } }, env: ['A'] });
  });
});
