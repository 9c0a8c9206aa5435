/**
 * Transitions -> Podman event names: the walks below are the transitions real runs commit (read
 * from the events stream of a run on runc), each with the event Podman 4.3 emits for the same
 * step (`podman events` of the same verbs), or none for an intermediate step.
 */
import { expect } from 'chai';
import { COMMAND_TABLE, podmanEventOf, isPodmanEventName, PODMAN_EVENT_NAMES } from '../../src/machines/index.js';

type Step = [command: string, from: string, to: string, event: string | null];

function events(steps: Step[]): (string | null)[] {
  return steps.map(([command, from, to]) => podmanEventOf({ command, from, to }));
}

describe('machines: Podman event names of transitions', () => {
  const walks: Record<string, Step[]> = {
    'create, init, start, pause, unpause': [
      ['create', '', 'configured', 'create'],
      ['init', 'configured.idle', 'configured.initializing', null],
      ['init', 'configured.initializing', 'created.idle', 'init'],
      ['start', 'created.idle', 'created.starting', null],
      ['start', 'created.starting', 'running.idle', 'start'],
      ['pause', 'running.idle', 'running.pausing', null],
      ['pause', 'running.pausing', 'paused.idle', 'pause'],
      ['unpause', 'paused.idle', 'paused.unpausing', null],
      ['unpause', 'paused.unpausing', 'running.idle', 'unpause'],
    ],
    'stop, then the cleanup Berth queues itself': [
      ['stop', 'running.idle', 'stopping.signalling', 'stop'],
      ['stop', 'stopping.signalling', 'stopping.signalled', null],
      ['exited', 'stopping.signalled', 'stopped.idle', 'died'],
      ['cleanup (internal)', 'stopped.idle', 'stopped.cleaning', null],
      ['cleanup (internal)', 'stopped.cleaning', 'exited.idle', 'cleanup'],
    ],
    'restart of a running container (no stop event, as Podman)': [
      ['restart', 'running.idle', 'stopping.signalling', 'restart'],
      ['restart', 'stopping.signalling', 'stopping.signalled', null],
      ['exited', 'stopping.signalled', 'stopped.cleaning', 'died'],
      ['exited', 'stopped.cleaning', 'exited.initializing', 'cleanup'],
      ['exited', 'exited.initializing', 'created.starting', 'init'],
      ['exited', 'created.starting', 'running.idle', 'start'],
    ],
    'restart of an exited container': [
      ['restart', 'exited.idle', 'exited.initializing', 'restart'],
      ['restart', 'exited.initializing', 'created.starting', 'init'],
      ['restart', 'created.starting', 'running.idle', 'start'],
    ],
    'start of a stopped container: cleanup first, then init and start': [
      ['start', 'stopped.idle', 'stopped.cleaning', null],
      ['start', 'stopped.cleaning', 'exited.initializing', 'cleanup'],
      ['start', 'exited.initializing', 'created.starting', 'init'],
      ['start', 'created.starting', 'running.idle', 'start'],
    ],
    'kill, sync, exit, remove': [
      ['kill', 'running.idle', 'running.killing', 'kill'],
      ['kill', 'running.killing', 'running.idle', null],
      ['sync', 'running.idle', 'running.syncing', 'sync'],
      ['sync', 'running.syncing', 'running.idle', null],
      ['exited', 'running.idle', 'stopped.idle', 'died'],
      ['remove', 'stopped.idle', 'removing.deleting', null],
      ['remove', 'removing.deleting', 'removed', 'remove'],
    ],
  };
  for (const [name, steps] of Object.entries(walks)) {
    it(name, () => {
      expect(events(steps)).to.deep.equal(steps.map((s) => s[3]));
    });
  }

  it("names only events of Podman's closed list, and each table entry's podmanEvent is one", () => {
    for (const steps of Object.values(walks)) for (const e of events(steps)) if (e !== null) expect(isPodmanEventName(e), e).to.equal(true);
    for (const [command, def] of Object.entries(COMMAND_TABLE) as [string, { podmanEvent?: string }][]) {
      if (def.podmanEvent !== undefined) expect(PODMAN_EVENT_NAMES, command).to.include(def.podmanEvent);
    }
    expect(isPodmanEventName('exec_died')).to.equal(true);
    expect(isPodmanEventName('started')).to.equal(false);
  });

  it("a command's own event also when its step changes only the context, whatever the activity", () => {
    expect(podmanEventOf({ command: 'sync', from: 'running.pausing', to: 'running.pausing' })).to.equal('sync');
    expect(podmanEventOf({ command: 'sync', from: 'running.syncing', to: 'running.idle' })).to.equal(null);
    expect(podmanEventOf({ command: 'timer (internal)', from: 'stopping.signalled', to: 'stopping.signalled' })).to.equal(null);
  });

  it('a command the table does not know, inside one status, is no event', () => {
    expect(podmanEventOf({ command: 'reconcile (internal)', from: 'running.idle', to: 'running.syncing' })).to.equal(null);
  });
});
