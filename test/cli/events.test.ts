/**
 * `berth events` as a process of its own, against a worker on real runc: Podman's text line,
 * JSON lines, Go templates, replay with --since/--until, live following ended by SIGINT (exit 0),
 * and bad flags as one "Error:" line with exit 125.
 */
import { expect } from 'chai';
import { berth, lines, spawnBerth } from './run-cli.js';
import { startStack, type Stack } from '../helpers/stack.js';

describe('cli: berth events', function () {
  this.timeout(60_000);
  let stack: Stack;
  let id: string;
  /** Every event of the walk of "ev": its cursor before, and a time after. */
  const before_ = '0-0';
  let after_: string;

  before(async () => {
    stack = await startStack('cli-events', { prefix: '{berth}' }); // the CLI's prefix, in a private Redis
    id = (await stack.client.create({ name: 'ev', rootfs: stack.rootfs, command: ['sh', '-c', 'exit 4'] })).Id;
    await stack.client.start('ev');
    expect(await stack.client.wait('ev')).to.equal(4);
    await stack.client.remove('ev');
    after_ = new Date(Date.now() + 1).toISOString();
  });
  after(async () => {
    await stack?.close();
  });

  const events = (args: string[]) => berth(['events', '--redis', stack.redis.url, ...args]);

  it("prints Podman's text line per event, replayed with --since and --until", async () => {
    const r = await events(['--since', before_, '--until', after_]);
    expect(r.code, r.stderr).to.equal(0);
    const rows = lines(r.stdout);
    const pattern = new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d{1,3})? \\+0000 UTC container (\\w+) ${id} \\(name=ev, node=${stack.node}, state=(\\w+), seq=(\\d+)\\)$`);
    const parsed = rows.map((row) => {
      const m = pattern.exec(row);
      expect(m, row).to.not.equal(null);
      return `${m![1]}:${m![2]}`;
    });
    // the exit's cleanup is Berth's own, before or after the remove: both orders are Podman's
    expect(parsed.filter((p) => !p.startsWith('cleanup'))).to.deep.equal(['create:configured', 'init:created', 'start:running', 'died:stopped', 'remove:removed']);
    // the same with a duration back from now and the filter's AND
    const died = await events(['--since', '10m', '--until', '0s', '--filter', 'container=ev', '--filter', 'event=died']);
    expect(lines(died.stdout)).to.have.length(1);
    expect(died.stdout).to.include(' container died ');
  });

  it('--format json: one object per line, with Podman\'s field names and Berth\'s', async () => {
    const r = await events(['--since', before_, '--until', after_, '--format', 'json', '--filter', 'event=died', '--filter', 'event=create']);
    expect(r.code, r.stderr).to.equal(0);
    const objects = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.map((o) => o['Status'])).to.deep.equal(['create', 'died']);
    const died = objects[1]!;
    expect(Object.keys(died)).to.deep.equal(['ContainerExitCode', 'ID', 'Name', 'Status', 'Time', 'timeNano', 'Type', 'State', 'Seq', 'Node', 'Cursor']);
    expect(died).to.include({ ContainerExitCode: 4, ID: id, Name: 'ev', Type: 'container', State: 'stopped', Node: stack.node });
    expect(died['Seq']).to.be.a('number');
    expect(String(died['Time'])).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(/"timeNano":(\d+)/.exec(lines(r.stdout)[1]!)![1]).to.equal(`${Date.parse(String(died['Time']))}000000`);
  });

  it('--format with a Go template', async () => {
    const r = await events(['--since', before_, '--until', after_, '--filter', 'event=start', '--format', '{{.Name}} {{.Status}} {{.State}} {{.Seq}} {{.Inspect.State.Status}} {{upper .Type}}']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^ev start running \d+ running CONTAINER$/);
  });

  it('follows live until SIGINT, then exits 0', async () => {
    // from a time before the container is made, so that nothing depends on how soon the process reads
    const proc = spawnBerth(['events', '--redis', stack.redis.url, '--since', after_, '--filter', 'container=live', '--format', '{{.Status}}']);
    const seen: string[] = [];
    const started = new Promise<void>((resolve) => {
      let buffered = '';
      proc.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        seen.push(...parts);
        if (seen.includes('start')) resolve();
      });
    });
    await stack.client.create({ name: 'live', rootfs: stack.rootfs, command: ['sleep', '1000'] });
    await stack.client.start('live');
    await started;
    proc.kill('SIGINT');
    const r = await proc;
    expect(r.exitCode, String(r.stderr)).to.equal(0);
    expect(seen).to.deep.equal(['create', 'init', 'start']);
    await stack.client.remove('live', { force: true });
  });

  it('bad flags: one Error line, exit 125, nothing printed', async () => {
    const cases: [string[], RegExp][] = [
      [['--filter', 'colour=red'], /^Error: .*`--filter` colour is an invalid filter: use container, event, node or type$/],
      [['--filter', 'container'], /^Error: .*`--filter` must be key=value/],
      [['--filter', 'event=started'], /^Error: .*event=started: not an event name/],
      [['--since', 'yesterday'], /^Error: .*`--since` must be an RFC 3339 time/],
      [['--until', 'later'], /^Error: .*`--until` must be an RFC 3339 time/],
      [['--format', 'yaml'], /^Error: .*`--format` must be json or a Go template/],
      [['--format', '{{.Name'], /^Error: .*template/],
    ];
    for (const [args, message] of cases) {
      const r = await events(args);
      expect(r.code, args.join(' ')).to.equal(125);
      expect(r.stdout).to.equal('');
      expect(lines(r.stderr), args.join(' ')).to.have.length(1);
      expect(lines(r.stderr)[0]).to.match(message);
    }
  });
});
