/**
 * What ioredis throws while Redis is away becomes EUNAVAIL wherever it is wrapped (toBerthError):
 * the worker retries it, and the API never hands a caller a raw client error. The errors here are
 * real ones, from a connection to a socket nobody listens on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { BerthError, isConnectionError, toBerthError } from '../src/errors.js';

describe('errors: a connection error is EUNAVAIL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-noredis-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The error ioredis rejects a command with when its connection cannot be made. */
  async function refused(maxRetriesPerRequest: number): Promise<unknown> {
    const conn = new Redis({ path: join(dir, 'nobody.sock'), maxRetriesPerRequest, retryStrategy: () => 10, lazyConnect: true });
    conn.on('error', () => undefined);
    try {
      return await conn.get('k').then(() => null, (e: unknown) => e);
    } finally {
      conn.disconnect();
    }
  }

  it('maps a command out of retries (MaxRetriesPerRequestError) and says so plainly', async () => {
    const raw = await refused(1);
    expect((raw as Error).name).to.equal('MaxRetriesPerRequestError');
    expect(isConnectionError(raw)).to.equal(true);
    const e = toBerthError(raw);
    expect(e.code).to.equal('EUNAVAIL');
    expect(e.message).to.equal('Redis is unavailable: the connection was lost and not re-established in time');
    expect(e.cause).to.equal(raw);
  });

  it('maps socket errors, a closed connection and a loading server; leaves everything else alone', () => {
    const sock = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED', syscall: 'connect' });
    const gone = Object.assign(new Error('connect ENOENT /run/redis.sock'), { code: 'ENOENT', syscall: 'connect' });
    for (const err of [sock, gone, new Error('Connection is closed.'), new Error('LOADING Redis is loading the dataset in memory')]) {
      expect(toBerthError(err).code, err.message).to.equal('EUNAVAIL');
    }
    const file = Object.assign(new Error("ENOENT: no such file or directory, open '/x'"), { code: 'ENOENT', syscall: 'open' });
    expect(toBerthError(file, 'EOCI').code, 'a missing file is not Redis').to.equal('EOCI');
    expect(toBerthError(new Error('boom')).code).to.equal('EINTERNAL');
    const own = new BerthError('ESTALE', 'lease lost');
    expect(toBerthError(own)).to.equal(own);
  });
});
