/**
 * Go templates for --format (src/cli/template.ts): what Podman users write renders as Go renders
 * it; a bad template or an unknown field is EINVAL in Go's words, and renderRows prints nothing
 * when one value fails; tables get headers and tabwriter alignment; values are escaped.
 */
import { expect } from 'chai';
import { BerthError } from '../../src/errors.js';
import { alignTabs, compileTemplate, renderRows, renderTemplate } from '../../src/cli/template.js';

const ctr = {
  Id: 'f'.repeat(64),
  Name: 'web',
  Names: ['web', 'www'],
  State: { Status: 'exited', ExitCode: 7, Running: false, Error: '' },
  Config: { Cmd: ['sh', '-c', 'exit 7'], Labels: { app: 'shop', tier: 'db' }, Env: [] as string[] },
};
const opts = { name: 'inspect', rootType: 'Container' };
const render = (f: string, v: unknown = ctr) => renderTemplate(f, v, opts);

function einval(f: string, v: unknown = ctr): string {
  try {
    render(f, v);
  } catch (err) {
    expect(err).to.be.instanceOf(BerthError);
    expect((err as BerthError).code).to.equal('EINVAL');
    return (err as BerthError).message;
  }
  expect.fail(`${f} rendered`);
}

describe('cli Go templates', () => {
  it('fields, nested fields, arrays and maps print as Go prints them', () => {
    const cases: Array<[string, string]> = [
      ['{{.Name}}', 'web'],
      ['{{ .State.Status }}:{{.State.ExitCode}}', 'exited:7'],
      ['{{.State.Running}}', 'false'],
      ['{{.Names}}', '[web www]'],
      ['{{.Config.Labels}}', 'map[app:shop tier:db]'],
      ['{{.Config.Labels.nope}}', '<no value>'],
      ['{{.State}}', '{exited 7 false }'],
      ['id={{.Id}}!', `id=${'f'.repeat(64)}!`],
    ];
    for (const [f, want] of cases) expect(render(f), f).to.equal(want);
  });

  it('json of the value and of a field, compact', () => {
    expect(render('{{json .Config.Cmd}}')).to.equal('["sh","-c","exit 7"]');
    expect(render('{{json .State}}')).to.equal('{"Status":"exited","ExitCode":7,"Running":false,"Error":""}');
    expect(JSON.parse(render('{{json .}}'))).to.deep.equal(ctr);
    expect(render('{{.Config | json}}')).to.equal(JSON.stringify(ctr.Config));
  });

  it('range, if/else if/else, with, variables, index and the functions', () => {
    const cases: Array<[string, string]> = [
      ['{{range .Names}}<{{.}}>{{end}}', '<web><www>'],
      ['{{range $i, $n := .Names}}{{$i}}={{$n}};{{end}}', '0=web;1=www;'],
      ['{{range .Config.Env}}x{{else}}no env{{end}}', 'no env'],
      ['{{range $k, $v := .Config.Labels}}{{$k}}={{$v}},{{end}}', 'app=shop,tier=db,'],
      ['{{if .State.Running}}up{{else if eq .State.ExitCode 7}}seven{{else}}other{{end}}', 'seven'],
      ['{{if not .State.Running}}down{{end}}', 'down'],
      ['{{with .State}}{{.Status}}{{end}}', 'exited'],
      ['{{with .State.Error}}err{{else}}no error{{end}}', 'no error'],
      ['{{$n := .Name}}{{range .Names}}{{$n}}/{{.}} {{end}}', 'web/web web/www '],
      ['{{range .Names}}{{$.Name}}{{end}}', 'webweb'],
      ['{{index .Config.Labels "app"}}|{{index .Config.Labels "none"}}|{{index .Names 1}}', 'shop||www'],
      ['{{upper .Name}} {{lower "ABC"}} {{title "hello world"}}', 'WEB abc Hello World'],
      ['{{join .Names ","}} {{truncate .Id 4}} [{{pad .Name 1 2}}]', 'web,www ffff [ web  ]'],
      ['{{len .Names}} {{.Names | len}} {{len (split "a:b:c" ":")}}', '2 2 3'],
      ['{{printf "%-6s|%3d|%q" .Name .State.ExitCode .Name}}', 'web   |  7|"web"'],
      ['{{if and .Name (gt .State.ExitCode 5)}}yes{{end}} {{or "" "fallback"}}', 'yes fallback'],
      ['{{if ne .State.Status "running"}}not running{{end}}', 'not running'],
    ];
    for (const [f, want] of cases) expect(render(f), f).to.equal(want);
  });

  it('trim markers, comments, string literals holding braces, typed \\t and \\n', () => {
    expect(render('a  {{- .Name -}}  b')).to.equal('awebb');
    expect(render('{{/* a comment */}}ok')).to.equal('ok');
    expect(render('{{"x}}y"}}')).to.equal('x}}y');
    expect(render('{{`raw\\t`}}')).to.equal('raw\\t'); // a tab in a value is escaped, as any control character
    expect(render('{{.Name}}\\n{{.State.Status}}')).to.equal('web\nexited');
  });

  it('an unknown field is EINVAL naming it, in Go\'s words; a missing map key is not', () => {
    expect(einval('{{.Nope}}')).to.equal('template: inspect:1:2: executing "inspect" at <.Nope>: can\'t evaluate field Nope in type Container');
    expect(einval('x\n  {{ .State.Statu }}')).to.equal('template: inspect:2:5: executing "inspect" at <.State.Statu>: can\'t evaluate field Statu in type State');
    expect(einval('{{.Name.First}}')).to.match(/can't evaluate field First in type string$/);
    expect(render('{{.Config.Labels.unknown}}')).to.equal('<no value>');
  });

  it('a bad template is EINVAL in Go\'s words, before any rendering', () => {
    const cases: Array<[string, RegExp]> = [
      ['{{.Name', /^template: inspect:1: unclosed action$/],
      ['{{.Name}', /^template: inspect:1: unexpected "}" in operand$/],
      ['{{.Name ! }}', /^template: inspect:1: bad character U\+0021 "!"$/],
      ['{{foo .Name}}', /^template: inspect:1: function "foo" not defined$/],
      ['{{if .Name}}x', /^template: inspect:1: unexpected EOF$/],
      ['x\n{{end}}', /^template: inspect:2: unexpected \{\{end\}\}$/],
      ['{{.Name | }}', /missing command after "\|"/],
      ['{{template "x"}}', /not supported/],
    ];
    for (const [f, want] of cases) {
      expect(() => compileTemplate(f, opts), f).to.throw(BerthError, want);
    }
    expect(einval('{{.Name 3}}')).to.match(/can't give argument to non-function \.Name$/);
    expect(einval('{{upper .State.ExitCode}}')).to.match(/error calling upper: wrong type for value; expected string; got int$/);
  });

  it('renderRows renders every value first: one bad value, nothing returned', () => {
    const rows = [ctr, { ...ctr, State: { Other: 1 } }];
    expect(() => renderRows('{{.State.Status}}', rows, opts)).to.throw(BerthError, /can't evaluate field Status in type State/);
    expect(renderRows('{{.Name}}', [ctr, { ...ctr, Name: 'db' }], opts)).to.equal('web\ndb');
    expect(renderRows('{{.Name}}', [], opts)).to.equal('');
  });

  it('table: a header row from the field names, cells aligned as tabwriter aligns them', () => {
    const rows = [ctr, { ...ctr, Id: 'a'.repeat(64), Name: 'database-primary', State: { ...ctr.State, ExitCode: 0 } }];
    const out = renderRows('table {{truncate .Id 12}}\\t{{.Name}}\\t{{.State.ExitCode}}', rows, { ...opts, headers: { Id: 'CONTAINER ID' } });
    expect(out.split('\n')).to.deep.equal([
      'CONTAINER ID  NAME              EXIT CODE',
      'ffffffffffff  web               7',
      'aaaaaaaaaaaa  database-primary  0',
    ]);
    expect(renderRows('table {{.Name}}', [], opts)).to.equal('NAME');
    expect(renderRows('{{.Name}}\\t{{.State.ExitCode}}', rows, opts), 'no table: tabs kept, as Podman').to.equal('web\t7\ndatabase-primary\t0');
    expect(compileTemplate('{{.Name}}').table).to.equal(false);
    expect(compileTemplate('table', { defaultTable: '{{.Name}}\t{{.Id}}' }).header()).to.equal('NAME\tID');
    expect(alignTabs('a\tb\tc\nlonger-than-twelve\tb\tc')).to.equal('a                   b           c\nlonger-than-twelve  b           c');
  });

  it('values are escaped for the terminal; the template\'s own text is not', () => {
    const evil = { Name: 'x\x1b[2J\u202e', Cmd: ['a\x07'] };
    expect(renderTemplate('{{.Name}}\t{{.Cmd}} {{json .Cmd}}', evil)).to.equal('x\\x1b[2J\\u202e\t[a\\x07] ["a\\u0007"]');
    expect(renderTemplate('table {{.Name}}\t{{.Cmd}}', evil)).to.equal('NAME            CMD\nx\\x1b[2J\\u202e  [a\\x07]');
  });
});
