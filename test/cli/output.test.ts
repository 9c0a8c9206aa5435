/**
 * What the CLI prints: Podman's status strings and durations, the ps table and JSON, templates,
 * and the one-line error with its exit code (from EXIT_CODES only).
 */
import { expect } from 'chai';
import { ZERO_TIME, type Inspect } from '../../src/actors/inspect.js';
import { BerthError, ERROR_CODES, EXIT_CODES, stateError } from '../../src/errors.js';
import {
  errorLine,
  exitCodeOf,
  formatColumns,
  formatCommand,
  formatHistoryTable,
  formatNodeTable,
  formatStatus,
  humanDuration,
} from '../../src/cli/output.js';
import { formatPs, formatPsTable, psEntry } from '../../src/cli/ps-format.js';
import { renderTemplate } from '../../src/cli/template.js';

const NOW = Date.parse('2026-11-28T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const ID = 'a'.repeat(12) + 'b'.repeat(52);

function container(status: string, over: Partial<Inspect['State']> = {}, name = 'web'): Inspect {
  return {
    Id: ID,
    Name: name,
    Node: 'n1',
    Created: ago(60_000),
    Rootfs: '/r',
    Config: { Cmd: ['sleep', '1000'], Env: [], WorkingDir: '/', Hostname: name, StopSignal: 'SIGTERM', StopTimeout: 10, OpenStdin: false, Tty: false },
    State: {
      Status: status,
      Activity: '',
      Running: status === 'running',
      Paused: status === 'paused',
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: status === 'running' ? 42 : 0,
      ExitCode: 0,
      Error: '',
      StartedAt: ZERO_TIME,
      FinishedAt: ZERO_TIME,
      ...over,
    },
    RestartCount: 0,
    ExecIDs: [],
    Version: 3,
  };
}

describe('cli output', () => {
  it("durations read as go-units' HumanDuration", () => {
    const cases: Array<[number, string]> = [
      [0, 'Less than a second'],
      [999, 'Less than a second'],
      [1000, '1 second'],
      [3_400, '3 seconds'],
      [59_999, '59 seconds'],
      [60_000, 'About a minute'],
      [119_000, 'About a minute'],
      [120_000, '2 minutes'],
      [59 * 60_000, '59 minutes'],
      [60 * 60_000, 'About an hour'],
      [3 * 3_600_000, '3 hours'],
      [47 * 3_600_000, '47 hours'],
      [3 * 86_400_000, '3 days'],
      [20 * 86_400_000, '2 weeks'],
      [90 * 86_400_000, '3 months'],
      [3 * 365 * 86_400_000, '3 years'],
    ];
    for (const [ms, text] of cases) expect(humanDuration(ms), String(ms)).to.equal(text);
  });

  it("STATUS reads as Podman's: Up, Exited (code) … ago, else the state in title case", () => {
    const cases: Array<[Inspect, string]> = [
      [container('running', { StartedAt: ago(3_000) }), 'Up 3 seconds'],
      [container('running'), 'Up'],
      [container('exited', { ExitCode: 7, FinishedAt: ago(2_000) }), 'Exited (7) 2 seconds ago'],
      [container('stopped', { ExitCode: 143, FinishedAt: ago(120_000) }), 'Exited (143) 2 minutes ago'],
      [container('exited', { ExitCode: -1 }), 'Exited (-1)'],
      [container('configured'), 'Created'], // as Podman's ps shows its configured containers
      [container('created'), 'Created'],
      [container('paused'), 'Paused'],
      [container('stopping'), 'Stopping'],
      [container('removing'), 'Removing'],
      [container('unknown'), 'Unknown'],
    ];
    for (const [c, text] of cases) expect(formatStatus(c, NOW), c.State.Status).to.equal(text);
  });

  it('shortens long commands', () => {
    expect(formatCommand(['sleep', '1000'])).to.equal('sleep 1000');
    expect(formatCommand(['sh', '-c', 'echo hello; sleep 1000'])).to.equal('sh -c echo hello; sle...');
    expect(formatCommand(['sh', '-c', 'echo hello; sleep 1000'])).to.have.length(24);
  });

  it('prints columns left-aligned, two spaces apart, without trailing blanks', () => {
    expect(formatColumns(['A', 'BB', 'C'], [['xxx', 'y', ''], ['', 'z', 'w']])).to.equal(['A    BB  C', 'xxx  y', '     z   w'].join('\n'));
  });

  it("prints Podman's ps columns, NODE after NAMES, aligned as its tabwriter aligns them", () => {
    const table = formatPsTable(
      [container('running', { StartedAt: ago(3_000) }), container('exited', { ExitCode: 7, FinishedAt: ago(2_000) }, 'job')],
      NOW,
    );
    expect(table.split('\n')).to.deep.equal([
      'CONTAINER ID  IMAGE       COMMAND     CREATED             STATUS                    PORTS       NAMES       NODE',
      'aaaaaaaaaaaa  /r          sleep 1000  About a minute ago  Up 3 seconds                          web         n1',
      'aaaaaaaaaaaa  /r          sleep 1000  About a minute ago  Exited (7) 2 seconds ago              job         n1',
    ]);
    expect(formatPsTable([], NOW)).to.equal('CONTAINER ID  IMAGE       COMMAND     CREATED     STATUS      PORTS       NAMES       NODE');
  });

  it("shapes ps JSON as Podman's ListContainer, plus Node", () => {
    const e = psEntry(container('exited', { ExitCode: 7, StartedAt: ago(5_000), FinishedAt: ago(2_000) }), NOW);
    expect(e).to.deep.equal({
      AutoRemove: false,
      Command: ['sleep', '1000'],
      CreatedAt: 'About a minute ago',
      Exited: true,
      ExitedAt: Math.floor((NOW - 2_000) / 1000),
      ExitCode: 7,
      Id: ID,
      Image: '/r',
      ImageID: '',
      IsInfra: false,
      Labels: null,
      Mounts: [],
      Names: ['web'],
      Namespaces: {},
      Networks: [],
      Pid: 0,
      Pod: '',
      PodName: '',
      Ports: null,
      Size: null,
      StartedAt: Math.floor((NOW - 5_000) / 1000),
      State: 'exited',
      Status: 'Exited (7) 2 seconds ago',
      Created: Math.floor((NOW - 60_000) / 1000),
      Node: 'n1',
      Restarts: 0,
    });
    const never = psEntry(container('configured'), NOW);
    expect(never.Exited).to.equal(false);
    expect(never.StartedAt).to.equal(-62135596800); // Go's zero time, as Podman prints it
    expect(never.ExitedAt).to.equal(-62135596800);
  });

  it('renders inspect templates', () => {
    const c = container('exited', { ExitCode: 7 });
    expect(renderTemplate('{{.State.Status}} {{ .State.ExitCode }}', c)).to.equal('exited 7');
    expect(renderTemplate('{{json .Config.Cmd}}', c)).to.equal('["sleep","1000"]');
    expect(renderTemplate('name={{.Name}}!', c)).to.equal('name=web!');
    expect(renderTemplate('{{.State.Running}}', c)).to.equal('false');
    expect(() => renderTemplate('{{.Nope.Deeper}}', c)).to.throw(BerthError, /can't evaluate field Nope/);
  });

  it("ps templates see Podman's psReporter: short ID, Names and Command as text, Labels map[], Mounts []", () => {
    const c = container('running', { StartedAt: ago(3_000) });
    const out = formatPs([c], '{{.ID}}|{{.Names}}|{{.Command}}|{{.Labels}}|{{.Mounts}}|{{.Status}}|{{.State}}|{{.Node}}', { now: NOW });
    expect(out).to.equal(`${ID.slice(0, 12)}|web|sleep 1000|map[]|[]|Up 3 seconds|running|n1`);
    expect(formatPs([{ ...c, Config: { ...c.Config, Cmd: ['sh', '-c', 'echo hello; sleep 1000'] } }], '{{.Command}}', { now: NOW })).to.equal('sh -c echo hello;...');
    expect(JSON.parse(formatPs([c], '{{json .}}', { now: NOW }))).to.deep.equal(psEntry(c, NOW));
  });

  it('prints history and node tables', () => {
    const history = formatHistoryTable([
      { from: '', to: 'configured', command: 'create', jobId: 'id-1', node: 'n1', at: '2026-11-28T12:00:00.000Z', ms: 0 },
      { from: 'configured', to: 'created', command: 'init', jobId: 'id-2', node: 'n1', at: '2026-11-28T12:00:01.000Z', ms: 61 },
    ]).split('\n');
    expect(history[0]).to.equal('AT                        FROM        TO          COMMAND  NODE  MS  JOB');
    expect(history[1]).to.equal('2026-11-28T12:00:00.000Z  (new)       configured  create   n1    0   id-1');
    const nodes = formatNodeTable(
      [
        { name: 'n1', labels: {}, runtime: 'runc', version: '0.1.0', concurrency: 8, startedAt: ago(120_000), live: true, lastHeartbeat: ago(1_000), containers: 2 },
        { name: 'n2', labels: {}, runtime: 'crun', version: '0.1.0', concurrency: 4, startedAt: ago(120_000), live: false, lastHeartbeat: null, containers: 0 },
      ],
      NOW,
    ).split('\n');
    expect(nodes[1]).to.match(/^n1 +live +1 second ago +2 +runc +8 +2 minutes ago$/);
    expect(nodes[2]).to.match(/^n2 +lost +- +0 +crun +4 +2 minutes ago$/);
  });

  describe('errors', () => {
    it('every error code exits as EXIT_CODES says (125), and so does anything else thrown', () => {
      for (const code of ERROR_CODES) expect(exitCodeOf(new BerthError(code, 'x'))).to.equal(EXIT_CODES[code]).and.to.equal(125);
      expect(exitCodeOf(new Error('boom'))).to.equal(125);
      expect(exitCodeOf('boom')).to.equal(125);
    });

    it('one line, naming the command and the container when the message does not', () => {
      const missing = new BerthError('ENOCTR', 'no such container web', { container: 'web' });
      expect(errorLine(missing, { command: 'start', container: 'web' })).to.equal('Error: start web: no such container web');
      const unreachable = new BerthError('EUNAVAIL', 'cannot reach Redis at redis://127.0.0.1:1: connect ECONNREFUSED');
      expect(errorLine(unreachable, { command: 'inspect', container: 'nosuch' })).to.equal(
        'Error: inspect nosuch: cannot reach Redis at redis://127.0.0.1:1: connect ECONNREFUSED',
      );
      expect(errorLine(new BerthError('EINVAL', 'two\n  lines'))).to.equal('Error: two lines');
      expect(errorLine(new Error('plain'), { command: 'ps' })).to.equal('Error: ps: plain');
    });

    it('a refused command keeps its message: container, command and state', () => {
      const refused = stateError('web', 'stop', 'paused');
      expect(errorLine(refused, { command: 'stop', container: 'web' })).to.equal(
        'Error: cannot stop container web in state paused: container state improper',
      );
      expect(errorLine(stateError('web', 'remove', 'running'), { command: 'rm', container: 'web' })).to.equal(
        'Error: cannot remove container web in state running: container state improper',
      );
    });

    it('does not take a longer name, or a word, for the one given', () => {
      const e = new BerthError('ENOCTR', 'no such container web-2');
      expect(errorLine(stateError('web-2', 'start', 'paused'), { command: 'start', container: 'web' })).to.match(/^Error: start web: cannot start container web-2/);
      expect(errorLine(new BerthError('EINVAL', '`-t` must be a whole number'), { command: 'stop', container: 'a' })).to.equal(
        'Error: stop a: `-t` must be a whole number',
      );
      expect(errorLine(new BerthError('EOCI', 'runc kill failed: container not running'), { command: 'kill', container: 'web' })).to.equal(
        'Error: kill web: runc kill failed: container not running',
      );
      expect(errorLine(e, { command: 'ps' })).to.equal('Error: ps: no such container web-2');
    });
  });
});
