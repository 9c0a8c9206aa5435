/**
 * The boundary, pure: options (defaults, then overrides, then validation), the Host check, the
 * same-origin and token conditions for mutating requests, and the security headers.
 */
import type { IncomingMessage } from 'node:http';
import { expect } from 'chai';
import { BerthError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { validateInspectorOptions } from '../../src/inspector/options.js';
import { allowedHosts, checkHost, checkMutation, CONTENT_SECURITY_POLICY, tokenMatches } from '../../src/inspector/security.js';
import { einval } from '../helpers/assert.js';

const log = createLogger({ level: 'silent', pretty: false });
const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const TOKEN = 'secret-token-123';
const SELF = { host: '127.0.0.1:7777' };


describe('inspector: options and the request boundary', () => {
  it('defaults to 127.0.0.1:7777 and generates a token', () => {
    const o = validateInspectorOptions({ redis: 'redis://localhost', log });
    expect(o).to.include({ host: '127.0.0.1', port: 7777, prefix: '{berth}', generated: true, stately: null });
    expect(o.token).to.match(/^[A-Za-z0-9_-]{32}$/);
    expect(validateInspectorOptions({ redis: 'redis://x', log }).token).to.not.equal(o.token);
    expect(validateInspectorOptions({ redis: 'redis://x', log, token: TOKEN, stately: true })).to.include({
      token: TOKEN,
      generated: false,
      stately: 'ws://localhost:8080',
    });
  });

  it('refuses bad options, naming the option and echoing the value', () => {
    expect(einval(() => validateInspectorOptions({ redis: 'r', log, port: 70_000 }))).to.equal(
      '`port` must be an integer from 0 to 65535, got 70000 (number)',
    );
    expect(einval(() => validateInspectorOptions({ redis: 'r', log, host: 'a b' }))).to.equal(
      '`host` must be an address or host name like 127.0.0.1, got "a b" (string)',
    );
    expect(einval(() => validateInspectorOptions({ redis: 'r', log, token: 'short' }))).to.equal(
      '`token` must be 8 to 512 printable characters without spaces',
    );
    expect(einval(() => validateInspectorOptions({ redis: 'r', log, stately: 'http://x' }))).to.contain('`stately` must be true or a ws:// URL');
  });

  it('answers only to its own host names (DNS rebinding), any when bound to every interface', () => {
    const hosts = allowedHosts('127.0.0.1', 7777);
    expect([...(hosts ?? [])]).to.deep.equal(['127.0.0.1:7777', 'localhost:7777', '[::1]:7777']);
    expect(checkHost(req({ host: 'localhost:7777' }), hosts)).to.equal(null);
    expect(checkHost(req({ host: 'evil.example:7777' }), hosts)?.code).to.equal('EHOST');
    expect(allowedHosts('0.0.0.0', 7777)).to.equal(null);
    expect([...(allowedHosts('10.0.0.5', 80) ?? [])]).to.deep.equal(['10.0.0.5:80']);
  });

  it('a mutating request needs the same origin and the bearer token', () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect(checkMutation(req({ ...SELF, ...auth }), TOKEN)).to.equal(null);
    expect(checkMutation(req({ ...SELF, ...auth, origin: 'http://127.0.0.1:7777', 'sec-fetch-site': 'same-origin' }), TOKEN)).to.equal(null);
    expect(checkMutation(req({ ...SELF }), TOKEN)).to.deep.equal({
      code: 'EAUTH',
      message: 'this request needs the inspector token: Authorization: Bearer <token>',
    });
    expect(checkMutation(req({ ...SELF, authorization: 'Bearer nope' }), TOKEN)?.code).to.equal('EAUTH');
    expect(checkMutation(req({ ...SELF, authorization: TOKEN }), TOKEN)?.code).to.equal('EAUTH');
    expect(checkMutation(req({ ...SELF, ...auth, origin: 'http://localhost:7777' }), TOKEN)).to.deep.equal({
      code: 'EORIGIN',
      message: 'cross-origin request from http://localhost:7777 refused',
    });
    expect(checkMutation(req({ ...SELF, ...auth, origin: 'null' }), TOKEN)?.code).to.equal('EORIGIN');
    expect(checkMutation(req({ ...SELF, ...auth, 'sec-fetch-site': 'same-site' }), TOKEN)?.code).to.equal('EORIGIN');
    expect(tokenMatches(`bearer ${TOKEN}`, TOKEN)).to.equal(true);
    expect(tokenMatches(`Bearer ${TOKEN}x`, TOKEN)).to.equal(false);
  });

  it('the CSP names no external source', () => {
    expect(CONTENT_SECURITY_POLICY).to.equal(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });
});
