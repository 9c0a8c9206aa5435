/**
 * Output safety, as the issue found it: a container's command or a producer's name holding ESC
 * sequences or newlines must not reach the terminal raw: ps's COMMAND column, the other tables,
 * inspect's templates and JSON, and error lines all escape them; an error quotes untrusted input
 * shortened. (`berth logs` prints a container's bytes as they are: that is its point.)
 */
import { expect } from 'chai';
import { ZERO_TIME, type Inspect } from '../../src/actors/inspect.js';
import { BerthError, noSuchContainer } from '../../src/errors.js';
import {
  errorLine,
  formatColumns,
  formatCommand,
  formatHistoryTable,
  formatJson,
  MAX_ERROR_MESSAGE,
} from '../../src/cli/output.js';
import { formatPs, formatPsTable } from '../../src/cli/ps-format.js';
import { renderTemplate } from '../../src/cli/template.js';

/** Any byte a terminal acts on: C0 controls but nothing else, DEL, C1. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const ESC_TITLE = '\x1b]0;pwned\x07\x1b[2J';

function evil(): Inspect {
  return {
    Id: 'c'.repeat(64),
    Name: 'web',
    Node: 'n1',
    Created: ZERO_TIME,
    Rootfs: '/r',
    Config: { Cmd: ['sh', '-c', `printf '${ESC_TITLE}'\necho \u009b31m`], Env: ['A=\x1b[5m'], WorkingDir: '/', Hostname: 'web', StopSignal: 'SIGTERM', StopTimeout: 10, OpenStdin: false, Tty: false },
    State: {
      Status: 'running',
      Activity: '',
      Running: true,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 1,
      ExitCode: 0,
      Error: 'runc said \x1b[1mbold\u202e',
      StartedAt: ZERO_TIME,
      FinishedAt: ZERO_TIME,
    },
    RestartCount: 0,
    ExecIDs: [],
    Version: 1,
  };
}

describe('cli output safety', () => {
  it('ps: the COMMAND column shows escapes, one row per container', () => {
    const table = formatPsTable([evil()]);
    expect(table).to.not.match(RAW_CONTROL);
    expect(table.split('\n')).to.have.length(2);
    expect(table).to.contain("sh -c printf '\\x1b]0...");
    const json = formatPs([evil()], 'json');
    expect(json).to.not.match(RAW_CONTROL);
    const templated = formatPs([evil()], '{{.Command}}|{{.Names}}', { noTrunc: true });
    expect(templated).to.not.match(RAW_CONTROL);
    expect(templated).to.contain('\\x1b]0;pwned\\x07');
    expect(formatCommand(['echo', '\x1b[2J'], 100)).to.equal('echo \\x1b[2J');
  });

  it('every table cell is escaped (history, node ls, any column)', () => {
    expect(formatColumns(['A', 'B'], [['x\ny', '\x1b[31m']])).to.equal('A     B\nx\\ny  \\x1b[31m');
    const history = formatHistoryTable([{ at: 'now', from: '', to: 'configured', command: 'create\x1b[8m', node: 'n\x07', ms: 1, jobId: 'j' }]);
    expect(history).to.not.match(RAW_CONTROL);
    expect(history).to.contain('create\\x1b[8m');
  });

  it("inspect: templates print escaped strings; JSON escapes what JSON.stringify leaves raw", () => {
    const out = renderTemplate('{{.State.Error}} {{json .Config.Env}}', evil());
    expect(out).to.equal('runc said \\x1b[1mbold\\u202e ["A=\\u001b[5m"]');
    const json = formatJson([evil()]);
    expect(json).to.not.match(RAW_CONTROL);
    expect(json).to.not.contain('\u202e');
    expect(json).to.contain('\\u009b31m').and.contain('\\u202e');
    expect((JSON.parse(json) as Inspect[])[0]!.State.Error).to.equal(evil().State.Error); // same value
  });

  it('error lines: control characters escaped, untrusted input shortened', () => {
    const name = `\x1b[2J${'a'.repeat(5000)}`;
    const line = errorLine(noSuchContainer(name), { command: 'start', container: name });
    expect(line).to.not.match(RAW_CONTROL);
    const shown = `\\x1b[2J${'a'.repeat(196)}… (5004 characters)`;
    expect(line).to.equal(`Error: start ${shown}: no such container ${shown}`);
    expect(errorLine(new BerthError('EOCI', 'runc start failed: exec: "\x1b]0;x\x07": not found'), { command: 'start', container: 'web' })).to.equal(
      'Error: start web: runc start failed: exec: "\\x1b]0;x\\x07": not found',
    );
    const long = errorLine(new BerthError('EOCI', 'z'.repeat(50_000)));
    expect(long.length).to.be.lessThan(MAX_ERROR_MESSAGE + 50);
    expect(errorLine(new Error('boom'), { command: 'inspect', container: 'x\x1by' })).to.equal('Error: inspect x\\x1by: boom');
  });
});
