/** How `berth events` prints an event: Podman's text line, JSON line, Go templates. Pure. */
import { expect } from 'chai';
import type { BerthEvent } from '../../src/queue/berth-event.js';
import { eventJson, eventPrinter, eventText, goTime } from '../../src/cli/event-format.js';
import { einval } from '../helpers/assert.js';

const id = 'a'.repeat(64);
const died: BerthEvent = {
  ID: id,
  Name: 'web',
  Status: 'died',
  Time: '2026-12-02T23:06:12.650Z',
  timeNano: Date.parse('2026-12-02T23:06:12.650Z') * 1e6,
  Type: 'container',
  State: 'stopped',
  Seq: 12,
  Node: 'n1',
  Cursor: '1796252772650-0',
  ContainerExitCode: 137,
  Inspect: { Id: id, State: { Status: 'stopped', Activity: '', ExitCode: 137, Error: '' } },
};

describe('cli: events output', () => {
  it("Go's time in UTC, fraction without trailing zeros", () => {
    expect(goTime('2026-12-02T23:06:12.650Z')).to.equal('2026-12-02 23:06:12.65 +0000 UTC');
    expect(goTime('2026-12-02T23:06:12.000Z')).to.equal('2026-12-02 23:06:12 +0000 UTC');
  });

  it("text: Podman's line with Berth's fields in the parentheses", () => {
    expect(eventText(died)).to.equal(`2026-12-02 23:06:12.65 +0000 UTC container died ${id} (name=web, node=n1, state=stopped, seq=12)`);
  });

  it('json: Podman\'s names in its order, then Berth\'s; timeNano exact; no Inspect', () => {
    const line = eventJson(died);
    expect(line).to.equal(
      `{"ContainerExitCode":137,"ID":"${id}","Name":"web","Status":"died","Time":"2026-12-02T23:06:12.650Z","timeNano":1796252772650000000,"Type":"container","State":"stopped","Seq":12,"Node":"n1","Cursor":"1796252772650-0"}`,
    );
    const { ContainerExitCode: _c, ...start } = { ...died, Status: 'start' as const };
    expect(Object.keys(JSON.parse(eventJson(start)) as object)[0]).to.equal('ID');
  });

  it('templates see the fields, TimeNano, ContainerExitCode and Inspect; bad formats are EINVAL', () => {
    expect(eventPrinter('{{.Name}} {{.Status}} {{.ContainerExitCode}} {{.Inspect.State.ExitCode}} {{.TimeNano}}').print(died)).to.equal('web died 137 137 1796252772650000000');
    expect(eventPrinter(undefined).print(died)).to.equal(eventText(died));
    expect(eventPrinter('json').print(died)).to.equal(eventJson(died));
    expect(einval(() => eventPrinter('yaml'))).to.equal('`--format` must be json or a Go template ({{.Status}} {{.Name}}), got "yaml"');
    expect(einval(() => eventPrinter('{{.Name'))).to.match(/template: events/);
  });
});
