/**
 * `berth info`'s YAML: Podman's layout, and strings that would read as something else quoted.
 */
import { expect } from 'chai';
import { toYaml } from '../../src/cli/yaml.js';
import { redisInfoFrom } from '../../src/queue/system-info.js';

describe('cli: YAML for info', () => {
  it('nests maps by two spaces, lists under their key, multi-line strings as |- blocks', () => {
    const doc = { host: { arch: 'amd64', cpus: 2, ok: true, none: null, labels: {}, list: [] }, log: ['k8s-file', 'none'], nodes: [{ name: 'n1', v: 'a\nb' }] };
    expect(toYaml(doc)).to.equal(
      [
        'host:',
        '  arch: amd64',
        '  cpus: 2',
        '  ok: true',
        '  none: null',
        '  labels: {}',
        '  list: []',
        'log:',
        '  - k8s-file',
        '  - none',
        'nodes:',
        '  - name: n1',
        '    v: |-',
        '      a',
        '      b',
      ].join('\n'),
    );
  });

  it('quotes what would not read back as the same string', () => {
    const quoted = ['true', 'no', 'null', '~', '1.0', '12', '0x1f', '', ' lead', 'trail ', 'a: b', '# c', '- d', '{berth}', '2026-12-02T23:17:22.570Z', 'x\r\ny', '"q"'];
    for (const s of quoted) expect(toYaml({ k: s }), s).to.equal(`k: ${JSON.stringify(s)}`);
    for (const s of ['7.0.15', '1.1.5+ds1', 'v20.20.2', '/usr/sbin/runc', 'Linux 6.1 x86_64', 'conmon version 2.1.6, commit (x)']) {
      expect(toYaml({ k: s }), s).to.equal(`k: ${s}`);
    }
    expect(toYaml({ 'a:b': 1 })).to.equal('"a:b": 1');
  });
});

describe('info: Redis INFO', () => {
  it('reads the fields berth info shows, with defaults for missing ones', () => {
    const text = '# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nos:Linux\r\nuptime_in_seconds:42\r\n\r\n# Clients\r\nconnected_clients:3\r\n# Memory\r\nused_memory:1024\r\nused_memory_human:1.00K\r\n# Persistence\r\naof_enabled:1\r\n# Replication\r\nrole:master\r\n';
    expect(redisInfoFrom(text)).to.deep.equal({
      version: '7.0.15',
      mode: 'standalone',
      role: 'master',
      os: 'Linux',
      uptimeSeconds: 42,
      connectedClients: 3,
      usedMemory: 1024,
      usedMemoryHuman: '1.00K',
      aofEnabled: true,
    });
    expect(redisInfoFrom('# Server\r\n')).to.include({ version: 'unknown', uptimeSeconds: 0, aofEnabled: false });
  });
});
