/**
 * A Redis URL's password never reaches a message: describeRedis, the URL parser's errors, and
 * redactSecrets for free text.
 */
import { expect } from 'chai';
import { describeRedis, redisOptionsFromUrl } from '../../src/store/redis.js';
import { redactSecrets, redactUrl } from '../../src/redact.js';
import { einval } from '../helpers/assert.js';

const SECRET = 'hunter2-S3cret';

describe('store: Redis URLs in messages', () => {
  it('describeRedis hides the password: redis://, rediss://, unix://, and strings that do not parse', () => {
    expect(describeRedis(`redis://:${SECRET}@h:6379/2`)).to.equal('redis://:***@h:6379/2');
    expect(describeRedis(`rediss://berth:${SECRET}@h`)).to.equal('rediss://berth:***@h');
    expect(describeRedis('redis://h:6379')).to.equal('redis://h:6379');
    expect(describeRedis(`unix://:${SECRET}@localhost/var/lib/berth/redis.sock`)).to.equal('unix:///var/lib/berth/redis.sock');
    expect(describeRedis('unix:///tmp/a%20b/redis.sock')).to.equal('unix:///tmp/a%20b/redis.sock');
    expect(describeRedis(`redis://:${SECRET} with space@h:1`)).to.not.contain(SECRET);
    expect(describeRedis(`redis://u:${SECRET}@[bad`)).to.equal('redis://***@[bad');
    expect(describeRedis('no url at all')).to.equal('no url at all');
  });

  it("the parser's errors never echo the password", () => {
    const cases = [`redis://:${SECRET}@h:6379/notadb`, `http://:${SECRET}@h`, `redis://:${SECRET}@[::1`, `:${SECRET}@h`];
    for (const url of cases) {
      const message = einval(() => redisOptionsFromUrl(url));
      expect(message, url).to.not.contain(SECRET);
      expect(message, url).to.match(/^`--redis` /);
    }
    expect(einval(() => redisOptionsFromUrl(`redis://:${SECRET}@h:6379/x`))).to.equal('`--redis` database must be a number, got "redis://:***@h:6379/x"');
  });

  it('redactSecrets replaces every URL password in free text, nothing else', () => {
    expect(redactSecrets(`cannot reach redis://:${SECRET}@a:1 or rediss://u:${SECRET}@b/0; user@example.com`)).to.equal(
      'cannot reach redis://:***@a:1 or rediss://u:***@b/0; user@example.com',
    );
    expect(redactSecrets('http://127.0.0.1:7777/ and redis://h:6379')).to.equal('http://127.0.0.1:7777/ and redis://h:6379');
    expect(redactUrl(`redis://:${encodeURIComponent('p@ss/w:rd')}@h`)).to.equal('redis://:***@h');
    expect(redactSecrets('give it in the URL, redis://:PASSWORD@host:port')).to.equal('give it in the URL, redis://:PASSWORD@host:port');
  });
});
