/** readSecret: a flag, a file flag, a variable or a file variable; never the value in a message. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { MAX_SECRET_BYTES, readSecret, type SecretSources } from '../src/read-secret.js';
import { einval } from './helpers/assert.js';

describe('secrets from flags, files and the environment', () => {
  let dir: string;
  let file: string;
  const sources = (flag?: string, fileFlag?: string, env: Record<string, string> = {}): SecretSources => ({
    flag: { name: '--redis', value: flag },
    fileFlag: { name: '--redis-file', value: fileFlag },
    envName: 'BERTH_REDIS_URL',
    env,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-secret-'));
    file = join(dir, 'redis-url');
    writeFileSync(file, '  redis://:s3cret@h:6379\r\n', { mode: 0o600 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('flag > file flag > variable > file variable; empty variables count as unset', () => {
    expect(readSecret(sources('redis://a', undefined, { BERTH_REDIS_URL: 'redis://b' }))).to.deep.equal({ value: 'redis://a', from: '`--redis`' });
    expect(readSecret(sources(undefined, file, { BERTH_REDIS_URL: 'redis://b' }))).to.deep.equal({ value: 'redis://:s3cret@h:6379', from: `\`--redis-file\` ${file}` });
    expect(readSecret(sources(undefined, undefined, { BERTH_REDIS_URL: 'redis://b' }))?.value).to.equal('redis://b');
    expect(readSecret(sources(undefined, undefined, { BERTH_REDIS_URL_FILE: file }))).to.deep.equal({ value: 'redis://:s3cret@h:6379', from: `BERTH_REDIS_URL_FILE ${file}` });
    expect(readSecret(sources(undefined, undefined, { BERTH_REDIS_URL: '', BERTH_REDIS_URL_FILE: '' }))).to.equal(undefined);
  });

  it('refuses both of a pair, and a file it cannot use, naming the file, never its content', () => {
    expect(einval(() => readSecret(sources('redis://a', file)))).to.equal('give `--redis` or `--redis-file`, not both');
    expect(einval(() => readSecret(sources(undefined, undefined, { BERTH_REDIS_URL: 'x', BERTH_REDIS_URL_FILE: file })))).to.equal(
      'set BERTH_REDIS_URL or BERTH_REDIS_URL_FILE, not both',
    );
    expect(einval(() => readSecret(sources(undefined, join(dir, 'missing'))))).to.equal(`\`--redis-file\`: cannot read ${join(dir, 'missing')} (ENOENT)`);
    writeFileSync(file, '\n');
    expect(einval(() => readSecret(sources(undefined, undefined, { BERTH_REDIS_URL_FILE: file })))).to.equal(`BERTH_REDIS_URL_FILE: ${file} is empty`);
    writeFileSync(file, 'x'.repeat(MAX_SECRET_BYTES + 1));
    expect(einval(() => readSecret(sources(undefined, file)))).to.equal(`\`--redis-file\`: ${file} is over ${MAX_SECRET_BYTES} bytes`);
  });
});
