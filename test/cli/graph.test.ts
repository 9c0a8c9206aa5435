/**
 * `mermaidOf`: the statechart as Mermaid stateDiagram-v2, generated from the machine definition.
 * Every state and the main transitions of the container machine are there; a small machine checks
 * the generic parts (parallel regions, eventless and numeric `after` transitions, guards).
 */
import { expect } from 'chai';
import { and, createMachine, fromPromise, not, stateIn, type AnyStateNode } from 'xstate';
import { mermaidOf } from '../../src/cli/graph.js';
import { containerMachine, STATUSES } from '../../src/machines/index.js';

const idOf = (node: AnyStateNode) => node.path.join('_');

function allStates(node: AnyStateNode): AnyStateNode[] {
  return (Object.values(node.states) as AnyStateNode[]).flatMap((c) => [c, ...allStates(c)]);
}

describe('cli graph: mermaidOf', () => {
  const text = mermaidOf(containerMachine);
  const lines = text.split('\n').map((l) => l.trim());

  it('is a stateDiagram-v2 starting in configured, with removed as the final state', () => {
    expect(lines[0]).to.equal('stateDiagram-v2');
    expect(lines).to.include('[*] --> configured');
    expect(lines).to.include('removed --> [*]');
    expect(mermaidOf(containerMachine)).to.equal(text); // deterministic
  });

  it('declares every state of the machine, nested ones under their parent with their own name', () => {
    for (const status of STATUSES) expect(text, status).to.match(new RegExp(`(^|\\s)${status}( |$)`, 'm'));
    for (const node of allStates(containerMachine.root)) {
      if (node.path.length === 1) continue;
      expect(lines, idOf(node)).to.include(`state "${node.key}" as ${idOf(node)}`);
    }
    for (const composite of ['configured', 'created', 'running', 'paused', 'stopping', 'stopped', 'exited', 'removing']) {
      expect(lines, composite).to.include(`state ${composite} {`);
    }
    expect(lines).to.include('[*] --> running_idle');
    expect(lines).to.include('[*] --> stopping_signalling');
  });

  it('has the main transitions, with event names, guards, delays and invoke outcomes', () => {
    for (const edge of [
      'configured_idle --> configured_initializing : cmd.init, cmd.start, cmd.restart, timer.restart [isScheduledRestart]',
      'configured_initializing --> created : ociCreate done',
      'configured_initializing --> created_starting : ociCreate done [thenStart]',
      'configured_initializing --> configured_idle : ociCreate error',
      'created_starting --> running : ociStart done',
      'running_idle --> running_pausing : cmd.pause',
      'running_pausing --> paused : ociPause done',
      'paused_idle --> paused_unpausing : cmd.unpause',
      'paused_unpausing --> running : ociResume done',
      'running_idle --> running_killing : cmd.kill',
      'running_idle --> stopping : cmd.stop, cmd.restart',
      'stopping_signalling --> stopping_waiting : ociKill done, ociKill error',
      'stopping --> stopping_killing : cmd.kill, timer.stop [isCurrentStop]',
      'running --> stopped : runtime.exited [isCurrentRun]',
      'stopping --> stopped : runtime.exited [isCurrentRun]',
      'stopping --> stopped_cleaning : runtime.exited [isCurrentRun and isRestarting]',
      'stopped_idle --> stopped_cleaning : cmd.cleanup [noExecSessions], cmd.init [noExecSessions], cmd.start [noExecSessions], cmd.restart [noExecSessions], timer.restart [isScheduledRestart and noExecSessions]',
      'running_idle --> running_execing : cmd.exec [isNewSession]',
      'running_execing --> running_idle : ociExec done, ociExec error',
      'stopped_cleaning --> exited : ociDelete done',
      'exited_idle --> exited_initializing : cmd.init, cmd.start, cmd.restart, timer.restart [isScheduledRestart]',
      'exited_idle --> removing : cmd.remove',
      'removing_deleting --> removed : ociRemove done',
      'removing_deleting --> removing_failed : ociRemove error',
      'any_state --> removing : cmd.remove [isForced and not in removed]',
      'any_state --> unknown : runtime.lost',
      'unknown --> stopped : runtime.exited [isCurrentRun]',
    ]) {
      expect(lines, edge).to.include(edge);
    }
    expect(lines).to.include('configured_initializing : invoke ociCreate');
    expect(lines).to.include('stopped_idle : entry requestCleanup');
    expect(lines).to.include('stopping_waiting : entry stopDeadline after stopTimeout');
    expect(lines).to.include('stopping : exit cancelDeadline');
  });

  it('writes each edge in the innermost composite holding both ends, and keeps braces balanced', () => {
    const inRunning = text.slice(text.indexOf('state running {'), text.indexOf('}', text.indexOf('state running {')));
    expect(inRunning).to.contain('running_idle --> running_pausing : cmd.pause');
    expect(inRunning).not.to.contain('running_pausing --> paused');
    expect(text.split('{').length).to.equal(text.split('}').length);
    for (const line of lines) expect(line, line).not.to.match(/[;#]/);
  });

  it('follows the definition of any machine: parallel regions, eventless and numeric delays, guards', () => {
    const m = createMachine({
      id: 'm',
      initial: 'a',
      states: {
        a: { always: { target: 'b', guard: 'ready' } },
        b: {
          type: 'parallel',
          states: {
            left: { initial: 'x', states: { x: { on: { GO: 'y' } }, y: {} } },
            right: { initial: 'p', states: { p: { after: { 500: 'q' } }, q: {} } },
          },
          on: { DONE: { target: 'c', guard: and(['ready', not(stateIn('#m.b.left.y'))]) } },
        },
        c: { invoke: { id: 'job', src: fromPromise(async () => 1), onDone: 'd' } },
        d: { type: 'final' },
      },
    });
    const g = mermaidOf(m).split('\n').map((l) => l.trim());
    expect(g).to.include.members([
      '[*] --> a',
      'a --> b : always [ready]',
      'state b {',
      '--',
      'b_left_x --> b_left_y : GO',
      'b_right_p --> b_right_q : after 500 ms',
      'b --> c : DONE [ready and not in b.left.y]',
      'c : invoke job',
      'c --> d : job done',
      'd --> [*]',
    ]);
  });
});
