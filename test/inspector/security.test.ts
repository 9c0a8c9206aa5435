/**
 * The boundary, pure: options (defaults, then overrides, then validation), the Host check, the
 * same-origin and token conditions for mutating requests, and the security headers.
 */
import type { IncomingMessage } from 'node:http';
import { expect } from 'chai';
import { BerthError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { validateInspectorOptions } from '../../src/inspector/options.js';
import { allowedHosts, checkHost, checkMutation, checkRead, CONTENT_SECURITY_POLICY, isHostEntry, tokenMatches } from '../../src/inspector/security.js';
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
    expect(einval(() => validateInspectorOptions({ redis: 'r', log, allowedHosts: ['ok', 'no way'] }))).to.equal(
      '`allowedHosts` must be host names or addresses, each optionally with :port, or "*", got ["ok","no way"] (object)',
    );
    expect(einval(() => validateInspectorOptions({ redis: 'r', log, maxEventStreams: 0 }))).to.equal(
      '`maxEventStreams` must be an integer from 1 to 10000, got 0 (number)',
    );
    expect(validateInspectorOptions({ redis: 'r', log })).to.deep.include({ allowedHosts: [], maxEventStreams: 64 });
  });

  it('answers only to its own host names (DNS rebinding)', () => {
    const hosts = allowedHosts('127.0.0.1', 7777);
    expect([...(hosts ?? [])]).to.deep.equal(['127.0.0.1:7777', 'localhost:7777', '[::1]:7777']);
    expect(checkHost(req({ host: 'localhost:7777' }), hosts)).to.equal(null);
    expect(checkHost(req({ host: 'evil.example:7777' }), hosts)).to.deep.equal({
      code: 'EHOST',
      message: 'host "evil.example:7777" is not served here; allowed: 127.0.0.1:7777, localhost:7777, [::1]:7777 (add a name with --allowed-hosts)',
    });
    expect(checkHost(req({ host: 'localhost:7778' }), hosts)?.code).to.equal('EHOST');
    expect([...(allowedHosts('10.0.0.5', 80) ?? [])]).to.deep.equal(['10.0.0.5:80']);
    expect(checkHost(req({ host: '10.0.0.5' }), allowedHosts('10.0.0.5', 80))).to.equal(null);
  });

  it('bound to every interface, the Host check stays on: loopback names at any port, plus --allowed-hosts', () => {
    const hosts = allowedHosts('0.0.0.0', 7777, ['berth.example', 'Proxy.Example:8443']);
    expect([...(hosts ?? [])]).to.deep.equal(['127.0.0.1:*', 'localhost:*', '[::1]:*', 'berth.example:*', 'proxy.example:8443']);
    for (const ok of ['localhost:7777', '127.0.0.1:8080', '[::1]:7777', 'berth.example', 'BERTH.example:7777', 'proxy.example:8443']) {
      expect(checkHost(req({ host: ok }), hosts), ok).to.equal(null);
    }
    for (const refused of ['evil.example:7777', 'proxy.example:7777', 'berth.example.evil:7777', '', '10.0.0.5:7777']) {
      expect(checkHost(req({ host: refused }), hosts)?.code, refused).to.equal('EHOST');
    }
    expect(allowedHosts('::', 7777, ['*'])).to.equal(null); // explicitly off
    expect(isHostEntry('[fe80::1]:8080')).to.equal(true);
    expect(isHostEntry('a b')).to.equal(false);
  });

  it('a read sees Env values only with the token; a wrong token is refused, not redacted', () => {
    expect(checkRead(req({}), TOKEN)).to.deep.equal({ reveal: false });
    expect(checkRead(req({ authorization: `Bearer ${TOKEN}` }), TOKEN)).to.deep.equal({ reveal: true });
    expect(checkRead(req({ authorization: 'Bearer nope' }), TOKEN)).to.deep.equal({ code: 'EAUTH', message: 'wrong inspector token' });
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
