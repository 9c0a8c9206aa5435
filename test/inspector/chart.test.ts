/**
 * The chart projection and the commands table, pure: computed from the container machine itself,
 * so a change to the machine shows here without editing the inspector. And the page's layout of
 * it (also pure): every state placed once, nothing overlapping, every transition routed.
 */
import { expect } from 'chai';
import { ARGLESS_COMMANDS, containerMachine, STATUSES } from '../../src/machines/index.js';
import { commandsFor, containerChart, normalizePath, pathOf } from '../../src/inspector/chart.js';
import { layoutChart, ANY } from '../../src/inspector/ui/chart-layout.js';

const valid = (Status: string, Activity = '') =>
  commandsFor({ State: { Status, Activity } })
    .filter((c) => c.valid)
    .map((c) => c.command);

describe('inspector: chart projection', () => {
  const chart = containerChart();

  it('has every status as a top-level node and every child as a nested one', () => {
    const tops = chart.nodes.filter((n) => n.parent === null).map((n) => n.id);
    expect(tops).to.deep.equal([...STATUSES]);
    expect(chart.machine).to.equal('container');
    expect(chart.initial).to.equal('configured');
    const running = chart.nodes.filter((n) => n.parent === 'running').map((n) => n.key);
    expect(running).to.deep.equal(['idle', 'syncing', 'execing', 'checkpointing', 'pausing', 'killing']);
    expect(chart.nodes.find((n) => n.id === 'running')).to.include({ kind: 'compound', initial: 'idle' });
    expect(chart.nodes.find((n) => n.id === 'removed')).to.include({ kind: 'final' });
    expect(chart.nodes.find((n) => n.id === 'running.pausing')).to.include({ invoke: 'ociPause', transient: true });
    expect(chart.nodes.find((n) => n.id === 'stopping.waiting')).to.include({ after: 'stopTimeout', transient: true });
    expect(chart.nodes.find((n) => n.id === 'running.idle')).to.include({ transient: false });
  });

  it('has every transition of the definition, with events, labels, guards and commands', () => {
    const edge = (source: string, event: string) => chart.edges.filter((e) => e.source === source && e.event === event);
    expect(edge('running.idle', 'cmd.pause')).to.deep.equal([
      { source: 'running.idle', target: 'running.pausing', event: 'cmd.pause', label: 'pause', guard: null, command: 'pause' },
    ]);
    expect(edge('running.pausing', 'xstate.done.actor.pause')[0]).to.include({ target: 'paused', label: 'ociPause done', command: null });
    expect(edge('stopping', 'timer.stop')[0]).to.include({
      target: 'stopping.killing',
      label: 'timer.stop',
      guard: 'isCurrentStop',
    });
    expect(edge('*', 'cmd.remove')[0]).to.include({ target: 'removing', guard: 'isForced and not in removed' });
    expect(edge('stopping', 'runtime.exited').map((e) => e.target)).to.deep.equal(['stopped.cleaning', 'stopped']);
    // an edge per transition that goes somewhere (a session's end, execExited, only acts)
    const inDefinition = [...containerMachine.root.transitions.values()].flat().filter((t) => t.target?.length).length;
    expect(chart.edges.filter((e) => e.source === '*')).to.have.length(inDefinition);
  });

  it('says which commands each resting place accepts, asking the machine', () => {
    // mount: wherever the container is not being removed nor unknown; unmount: out of the runtime (the root's handler with no counted mount refuses it)
    expect(valid('configured')).to.deep.equal(['init', 'start', 'restart', 'cleanup', 'remove', 'sync', 'restore', 'mount', 'unmount']);
    expect(valid('running')).to.deep.equal(['stop', 'kill', 'pause', 'restart', 'sync', 'checkpoint', 'mount']);
    expect(valid('paused')).to.deep.equal(['kill', 'unpause', 'sync', 'mount']);
    expect(valid('running', 'pausing')).to.deep.equal([]);
    expect(valid('stopping', 'waiting')).to.deep.equal(['stop', 'kill', 'sync', 'mount']);
    expect(valid('unknown')).to.deep.equal(['sync']);
    expect(valid('removing', 'failed')).to.deep.equal(['remove']);
    expect(valid('removed')).to.deep.equal([]);
    expect(Object.keys(chart.commands)).to.include.members(['running', 'running.pausing', 'stopping.signalled', 'unknown']);
  });

  it('gives the reason for every refused command', () => {
    const byName = Object.fromEntries(commandsFor({ State: { Status: 'running', Activity: 'pausing' } }).map((c) => [c.command, c.reason]));
    expect(byName['pause']).to.equal('pause must wait: pausing is in flight');
    expect(byName['unpause']).to.equal(
      'cannot unpause a container in state running.pausing (container state improper); unpause is valid in paused',
    );
    expect(commandsFor({ State: { Status: 'exited', Activity: '' } }).find((c) => c.command === 'stop')?.reason).to.equal(
      'cannot stop a container in state exited (container state improper); stop is valid in created, running, stopping',
    );
    for (const infos of Object.values(chart.commands)) {
      // the buttons: commands without arguments of their own (not exec)
      expect(infos.map((c) => c.command)).to.deep.equal([...ARGLESS_COMMANDS]);
      for (const c of infos) expect(c.valid ? c.reason : c.reason.length > 0).to.equal(c.valid ? '' : true);
    }
    expect(commandsFor({ State: { Status: 'gone', Activity: '' } })[0]?.reason).to.equal('unknown state gone');
  });

  it('names paths as Inspect and the events stream do', () => {
    expect(pathOf({ State: { Status: 'running', Activity: '' } })).to.equal('running');
    expect(pathOf({ State: { Status: 'running', Activity: 'pausing' } })).to.equal('running.pausing');
    expect(normalizePath('running.idle')).to.equal('running');
    expect(JSON.parse(JSON.stringify(chart))).to.deep.equal(chart);
  });
});

describe('inspector: chart layout', () => {
  const layout = layoutChart(containerChart());
  const overlap = (a: { x: number; y: number; w: number; h: number }, b: typeof a) =>
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

  it('places every state once, children inside their parent, no two boxes overlapping', () => {
    const ids = layout.boxes.map((b) => b.id);
    expect(new Set(ids).size).to.equal(ids.length);
    expect(ids).to.include.members([...containerChart().nodes.map((n) => n.id), ANY]);
    const tops = layout.boxes.filter((b) => b.parent === null);
    for (const a of tops) for (const b of tops) if (a !== b) expect(overlap(a, b), `${a.id} / ${b.id}`).to.equal(false);
    for (const c of layout.boxes.filter((b) => b.parent)) {
      const p = tops.find((t) => t.id === c.parent)!;
      expect(c.x >= p.x && c.y >= p.y && c.x + c.w <= p.x + p.w && c.y + c.h <= p.y + p.h, c.id).to.equal(true);
    }
    for (const b of layout.boxes) expect(b.x + b.w <= layout.width && b.y + b.h <= layout.height, b.id).to.equal(true);
  });

  it('routes one curve per pair of statuses a transition joins, labelled with every event', () => {
    const keys = layout.links.map((l) => l.key);
    expect(new Set(keys).size).to.equal(keys.length);
    expect(keys).to.include.members(['configured>created', 'running>paused', 'paused>running', 'stopping>stopped', '*>removing', '*>unknown']);
    // (health: a probe's result with --health-on-failure stop or restart)
    expect(layout.links.find((l) => l.key === 'running>stopping')?.labels).to.deep.equal(['health [isThisRun and unhealthyStop]', 'health [isThisRun and unhealthyRestart]', 'stop', 'restart']);
    for (const l of layout.links) expect(l.d).to.match(/^M[\d.]+,[\d.]+ C[\d.]+,[\d.]+ [\d.]+,[\d.]+ [\d.]+,[\d.]+$/);
  });
});
