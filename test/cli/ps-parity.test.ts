/**
 * ps and inspect as Podman 4.3 prints them, through the real `berth` CLI against a worker on real
 * runc: ps's columns (NODE after NAMES), ps JSON with Podman's field names and types, Go
 * templates for ps and inspect (`table` too), and a template error that prints nothing else.
 */
import { expect } from 'chai';
import { berth, lines } from './run-cli.js';
import { startStack, type Stack } from '../helpers/stack.js';

/** The keys of a `podman ps -a --format json` entry (Podman 4.3.1), plus Berth's Node and Restarts. */
const PODMAN_KEYS = ['AutoRemove', 'Command', 'CreatedAt', 'Exited', 'ExitedAt', 'ExitCode', 'Id', 'Image', 'ImageID', 'IsInfra', 'Labels', 'Mounts', 'Names', 'Namespaces', 'Networks', 'Pid', 'Pod', 'PodName', 'Ports', 'Size', 'StartedAt', 'State', 'Status', 'Created'];

describe('cli: ps and inspect as Podman 4 (columns, JSON, templates)', function () {
  this.timeout(60_000);
  let s: Stack;
  let web: string;
  let seven: string;
  const cli = (...args: string[]) => berth(['--redis', s.redis.url, ...args]);
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    expect(r.code, `berth ${args.join(' ')}: ${r.stderr}`).to.equal(0);
    return r.stdout;
  };

  before(async () => {
    s = await startStack('cli-ps', { prefix: '{berth}' });
    web = (await s.client.create({ name: 'ps-web', rootfs: s.rootfs, command: ['sleep', '1000'] })).Id;
    await s.client.start('ps-web');
    seven = (await s.client.create({ name: 'ps-seven', rootfs: s.rootfs, command: ['sh', '-c', 'exit 7'] })).Id;
    await s.client.start('ps-seven');
    expect(await s.client.wait('ps-seven')).to.equal(7);
    await s.client.create({ name: 'ps-new', rootfs: s.rootfs, command: ['true'] });
  });
  after(async () => {
    await s?.close();
  });

  it("ps: Podman's columns, NODE after NAMES; the running container only, its runc pid in JSON", async () => {
    const table = (await ok('ps')).split('\n');
    expect(table[0]).to.match(/^CONTAINER ID {2}IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES +NODE$/);
    expect(table).to.have.length(2);
    const row = new RegExp(`^${web.slice(0, 12)} {2}${s.rootfs} +sleep 1000 +(Less than a second|\\d+ seconds?) ago +Up (Less than a second|\\d+ seconds?) +ps-web +${s.node}$`);
    expect(table[1]).to.match(row);
    // the columns start where the header's do (tabwriter alignment)
    expect(table[1]!.indexOf('ps-web')).to.equal(table[0]!.indexOf('NAMES'));
  });

  it("ps --format json: Podman's field names and types, plus Node", async () => {
    const all = JSON.parse(await ok('ps', '-a', '--format', 'json')) as Array<Record<string, unknown>>;
    expect(all).to.have.length(3);
    for (const e of all) expect(Object.keys(e)).to.have.members([...PODMAN_KEYS, 'Node', 'Restarts']);
    const byName = Object.fromEntries(all.map((e) => [(e['Names'] as string[])[0], e]));
    const running = byName['ps-web']!;
    expect(running).to.deep.include({ Id: web, Names: ['ps-web'], Command: ['sleep', '1000'], State: 'running', Exited: false, ExitCode: 0, Node: s.node, Image: s.rootfs, Labels: null, Ports: null, Mounts: [], Networks: [] });
    expect(running['Pid'], 'the pid runc reports').to.equal((await s.runc(web))?.pid);
    expect(running['Status']).to.match(/^Up /);
    for (const k of ['Created', 'StartedAt', 'ExitedAt']) expect(running[k], k).to.be.a('number');
    expect(running['Created'] as number).to.be.closeTo(Date.now() / 1000, 120);
    expect(running['ExitedAt'], "Go's zero time: never exited").to.equal(-62135596800);
    expect(running['CreatedAt']).to.match(/ ago$/);
    const exited = byName['ps-seven']!;
    expect(exited).to.deep.include({ State: 'exited', Exited: true, ExitCode: 7, Pid: 0 });
    expect(exited['Status']).to.match(/^Exited \(7\) (Less than a second|\d+ seconds?) ago$/);
    expect(exited['ExitedAt'] as number).to.be.at.least(exited['StartedAt'] as number);
    expect(byName['ps-new']).to.deep.include({ State: 'configured', Status: 'Created', StartedAt: -62135596800 });
  });

  it('ps --format: Go templates over Podman\'s ps fields; table adds headers; {{json .}} is the JSON entry', async () => {
    const rows = lines(await ok('ps', '-a', '--format', '{{.Names}} {{.State}} {{.ExitCode}} {{.ID}}'));
    expect(rows).to.have.length(3);
    expect(rows).to.include.members([`ps-web running 0 ${web.slice(0, 12)}`, `ps-seven exited 7 ${seven.slice(0, 12)}`]);
    expect(rows.find((r) => r.startsWith('ps-new '))).to.match(/^ps-new configured 0 [0-9a-f]{12}$/);
    const table = (await ok('ps', '--format', 'table {{.ID}}\\t{{.Names}}\\t{{.Node}}')).split('\n');
    expect(table).to.deep.equal(['CONTAINER ID  NAMES       NODE', `${web.slice(0, 12)}  ps-web      ${s.node}`]);
    const tabs = await ok('ps', '--format', '{{.Names}}\\t{{.Command}}');
    expect(tabs, 'without table, tabs stay, as Podman').to.equal('ps-web\tsleep 1000');
    const entry = JSON.parse(await ok('ps', '--format', '{{json .}}')) as Record<string, unknown>;
    expect(Object.keys(entry)).to.have.members([...PODMAN_KEYS, 'Node', 'Restarts']);
    expect(entry).to.deep.include({ Id: web, Names: ['ps-web'] });
    expect(await ok('ps', '-a', '--format', '{{if .Exited}}{{.Names}}={{.ExitCode}}{{end}}')).to.contain('ps-seven=7');
  });

  it('a template error prints nothing but one error line, exit 125, in Go\'s words', async () => {
    const r = await cli('ps', '-a', '--format', '{{.Names}} {{.Nope}}');
    expect(r).to.deep.include({ code: 125, stdout: '' });
    expect(lines(r.stderr)).to.deep.equal(['Error: template: ps:1:13: executing "ps" at <.Nope>: can\'t evaluate field Nope in type psReporter']);
    const bad = await cli('ps', '--format', '{{.Names');
    expect(bad).to.deep.include({ code: 125, stdout: '', stderr: 'Error: template: ps:1: unclosed action' });
    const i = await cli('inspect', '--format', '{{.Name}} {{.State.Nope}}', 'ps-web', 'ps-seven');
    expect(i).to.deep.include({ code: 125, stdout: '' });
    expect(lines(i.stderr)).to.deep.equal(['Error: inspect ps-web ps-seven: template: inspect:1:12: executing "inspect" at <.State.Nope>: can\'t evaluate field Nope in type State']);
  });

  it('inspect --format: fields, nested fields, range, json, one line per container', async () => {
    const out = lines(await ok('inspect', '--format', '{{.Name}} {{.State.Status}} {{.State.Pid}} {{.State.ExitCode}}', 'ps-web', 'ps-seven'));
    expect(out).to.deep.equal([`ps-web running ${(await s.runc(web))?.pid} 0`, 'ps-seven exited 0 7']);
    expect(await ok('inspect', '-f', '{{range .Config.Cmd}}[{{.}}]{{end}} {{json .Config.Cmd}} {{upper .Node}}', 'ps-web')).to.equal(`[sleep][1000] ["sleep","1000"] ${s.node.toUpperCase()}`);
    expect(await ok('inspect', '-f', '{{if .State.Running}}up{{else}}down{{end}}', 'ps-web', 'ps-seven')).to.equal('up\ndown');
  });
});
