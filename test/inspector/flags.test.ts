/**
 * The CLI side of the inspector (`berth inspector`, `berth up`): flags parsed at the boundary with
 * errors that name the flag, and the lines printed at start (the token only when generated).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { BerthError } from '../../src/errors.js';
import { inspectorBannerLines, parseInspectorFlags, UP_INSPECTOR_FLAG_NAMES } from '../../src/inspector/flags.js';
import { einval } from '../helpers/assert.js';


describe('inspector: CLI flags and banner', () => {
  it('defaults to 127.0.0.1:7777 without a token', () => {
    expect(parseInspectorFlags({})).to.deep.equal({ host: '127.0.0.1', port: 7777 });
    expect(parseInspectorFlags({ host: '0.0.0.0', port: '0', token: 'abcdefgh', stately: true })).to.deep.equal({
      host: '0.0.0.0',
      port: 0,
      token: 'abcdefgh',
      stately: true,
    });
    expect(parseInspectorFlags({ stately: 'ws://127.0.0.1:9000' }).stately).to.equal('ws://127.0.0.1:9000');
  });

  it('names the flag the user typed', () => {
    expect(einval(() => parseInspectorFlags({ port: '99999' }))).to.equal('`--port` must be a port number from 0 to 65535, got "99999"');
    expect(einval(() => parseInspectorFlags({ port: 'x' }, UP_INSPECTOR_FLAG_NAMES))).to.equal(
      '`--inspector-port` must be a port number from 0 to 65535, got "x"',
    );
    expect(einval(() => parseInspectorFlags({ host: 'a b' }))).to.equal('`--host` must be an address or host name like 127.0.0.1, got "a b"');
    expect(einval(() => parseInspectorFlags({ token: 'short' }))).to.equal('`--token` must be 8 to 512 printable characters without spaces');
    expect(einval(() => parseInspectorFlags({ stately: 'http://x' }))).to.equal('`--stately` takes a ws:// or wss:// URL, got "http://x"');
  });

  it('takes the token from --token, --token-file, BERTH_INSPECTOR_TOKEN or BERTH_INSPECTOR_TOKEN_FILE, flags first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-token-'));
    try {
      const file = join(dir, 'token');
      writeFileSync(file, 'from-the-file-123\n', { mode: 0o600 });
      expect(parseInspectorFlags({ tokenFile: file }).token).to.equal('from-the-file-123');
      expect(parseInspectorFlags({}, undefined, { BERTH_INSPECTOR_TOKEN: 'from-the-env-123' }).token).to.equal('from-the-env-123');
      expect(parseInspectorFlags({}, undefined, { BERTH_INSPECTOR_TOKEN_FILE: file }).token).to.equal('from-the-file-123');
      expect(parseInspectorFlags({ token: 'from-the-flag-1' }, undefined, { BERTH_INSPECTOR_TOKEN: 'from-the-env-123' }).token).to.equal('from-the-flag-1');
      expect(parseInspectorFlags({}, undefined, { BERTH_INSPECTOR_TOKEN: '' })).to.not.have.property('token');
      expect(einval(() => parseInspectorFlags({ token: 'abcdefgh', tokenFile: file }))).to.equal('give `--token` or `--token-file`, not both');
      expect(einval(() => parseInspectorFlags({ tokenFile: join(dir, 'none') }))).to.equal(`\`--token-file\`: cannot read ${join(dir, 'none')} (ENOENT)`);
      expect(einval(() => parseInspectorFlags({}, undefined, { BERTH_INSPECTOR_TOKEN: 'short' }))).to.equal(
        'BERTH_INSPECTOR_TOKEN must be 8 to 512 printable characters without spaces',
      );
      const up = UP_INSPECTOR_FLAG_NAMES;
      expect(einval(() => parseInspectorFlags({ tokenFile: dir }, up))).to.equal(`\`--inspector-token-file\`: cannot read ${dir} (EISDIR)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--allowed-hosts (comma-separated, repeatable) and --max-event-streams', () => {
    expect(parseInspectorFlags({ allowedHosts: ['localhost,127.0.0.1', ' berth.example:8443 '], maxEventStreams: '8' })).to.deep.include({
      allowedHosts: ['localhost', '127.0.0.1', 'berth.example:8443'],
      maxEventStreams: 8,
    });
    expect(parseInspectorFlags({ allowedHosts: ['*'] }).allowedHosts).to.deep.equal(['*']);
    expect(einval(() => parseInspectorFlags({ allowedHosts: ['ok.example,http://evil'] }))).to.equal(
      '`--allowed-hosts` takes host names or addresses, each optionally with :port, or "*", got "http://evil"',
    );
    expect(einval(() => parseInspectorFlags({ maxEventStreams: '0' }, UP_INSPECTOR_FLAG_NAMES))).to.equal(
      '`--inspector-max-event-streams` must be an integer from 1 to 10000, got "0"',
    );
  });

  it('prints the URL, and the token only when it was generated', () => {
    const i = { url: 'http://127.0.0.1:7777/', token: 'T0KEN-abc' };
    expect(inspectorBannerLines(i, true)).to.deep.equal([
      'Inspector: http://127.0.0.1:7777/',
      'Inspector token (needed to act): T0KEN-abc',
      '  open http://127.0.0.1:7777/#token=T0KEN-abc to act from the page',
    ]);
    expect(inspectorBannerLines(i, false)).to.deep.equal(['Inspector: http://127.0.0.1:7777/']);
  });
});
