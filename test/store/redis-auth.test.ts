/**
 * A Redis with requirepass, as the embedded default and docker-compose now run it: without a
 * password the error says one is needed (NOAUTH), with a wrong one that it was refused
 * (WRONGPASS), never "cannot reach", and never quoting a password; with the right one, Berth works.
 */
import { expect } from 'chai';
import { Berth } from '../../src/queue/client.js';
import { isRedisUnavailable, toBerthError } from '../../src/errors.js';
import { connectRedis } from '../../src/store/redis.js';
import { rejection } from '../helpers/assert.js';
import { startRedis, testPrefix, type TestRedis } from '../helpers/redis.js';

const PASSWORD = 'pw-7f3a9c1e-requirepass';

describe('store: a Redis that requires a password', function () {
  this.timeout(20_000);
  let redis: TestRedis;
  let socket = '';

  before(async () => {
    redis = await startRedis({ password: PASSWORD });
    socket = decodeURIComponent(new URL(redis.url).pathname);
  });
  after(async () => {
    await redis?.stop();
  });

  it('no password: EUNAVAIL saying a password is needed (NOAUTH), not "cannot reach"', async () => {
    const e = await rejection(connectRedis(`unix://${socket}`, { timeoutMs: 2000 }));
    expect(e.code).to.equal('EUNAVAIL');
    expect(e.message).to.equal(
      `Redis at unix://${socket} needs a password (NOAUTH): give it in the URL, redis://:PASSWORD@host:port, through --redis-file or BERTH_REDIS_URL_FILE`,
    );
    expect(isRedisUnavailable(e)).to.equal(false);
  });

  it('a wrong password: refused (WRONGPASS), and neither password is quoted', async () => {
    const e = await rejection(connectRedis(`unix://:wrong-guess@localhost${socket}`, { timeoutMs: 2000 }));
    expect(e.code).to.equal('EUNAVAIL');
    expect(e.message).to.equal(`Redis at unix://${socket} refused the password (WRONGPASS): check the user and password in the URL`);
    expect(e.message).to.not.contain('wrong-guess').and.not.contain(PASSWORD);
  });

  it('a command refused for lack of auth maps the same way (toBerthError)', () => {
    const e = toBerthError(Object.assign(new Error('NOAUTH Authentication required.'), { name: 'ReplyError' }));
    expect(e.code).to.equal('EUNAVAIL');
    expect(e.message).to.match(/^Redis needs a password \(NOAUTH\)/);
  });

  it('the right password: the client works', async () => {
    const client = await Berth.connect({ redis: redis.url, prefix: testPrefix('auth'), timeoutMs: 2000 });
    try {
      expect(await client.list({ all: true })).to.deep.equal([]);
    } finally {
      await client.close();
    }
  });
});
