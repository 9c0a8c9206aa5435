/**
 * The command table (machines/commands.ts) is the one list of commands: the contract, the worker,
 * the client, the CLI and the inspector take their commands and arguments from it.
 */
import { expect } from 'chai';
import { accepts, type MachineEventInput } from '../../src/actors/step.js';
import { initialSnapshot } from '../../src/actors/snapshot.js';
import { VERBS } from '../../src/cli/commands/lifecycle.js';
import { COMMAND_TABLE, COMMANDS, INTERNAL_COMMANDS, commandToEvent, events, type TableCommand } from '../../src/machines/index.js';
import { commandSchema } from '../../src/queue/contract.js';

const defaults = { stopTimeout: 7, timers: { stopDeadline: { v: 12, event: { type: 'timer.stop', stops: 3 } } } };
const event = (command: TableCommand, args: unknown) => {
  const r = commandToEvent(command, args, defaults);
  if (!r.ok) throw new Error(r.issues.message);
  return r.event;
};

describe('machines/commands: the command table', () => {
  it('turns arguments into the machine events, with the container\'s defaults', () => {
    expect(event('stop', {})).to.deep.equal(events.stop(7));
    expect(event('restart', { timeout: 0 })).to.deep.equal(events.restart(0));
    expect(event('kill', { signal: 'term' })).to.deep.equal(events.kill('SIGTERM'));
    expect(event('kill', {})).to.deep.equal(events.kill('SIGKILL'));
    expect(event('remove', { force: true }), 'rm -f: the stop timeout by default').to.deep.equal(events.remove(true, 7));
    expect(event('remove', { force: true, timeout: 0 })).to.deep.equal(events.remove(true, 0));
    expect(event('exited', { code: 137, at: 'T', run: 2 })).to.deep.equal(events.exited(137, 'T', false, 2));
    expect(event('timer', { timer: 'stopDeadline', v: 12 }), 'what the record keeps for the timer').to.deep.equal(events.deadline('timer.stop', 3));
  });

  it('a timer applies only as the schedule the record keeps for its id: a cancelled or replaced one is a no-op', () => {
    expect(event('timer', { timer: 'stopDeadline', v: 11 }), 'replaced since').to.equal(null);
    expect(event('timer', { timer: 'healthInterval', v: 12 }), 'cancelled (no such timer pending)').to.equal(null);
    expect(event('timer', { timer: '__proto__', v: 12 }), 'no inherited keys').to.equal(null);
    const odd = { stopTimeout: 7, timers: { odd: { v: 1, event: { type: 'cmd.remove' } } } };
    const r = commandToEvent('timer', { timer: 'odd', v: 1 }, odd);
    expect(r.ok && r.event, 'a timer delivers timer events only').to.equal(null);
  });

  it('refuses bad arguments with the field named, and drops arguments a command does not take', () => {
    for (const [command, args, field] of [
      ['stop', { timeout: -1 }, 'timeout'],
      ['restart', { timeout: 1.5 }, 'timeout'],
      ['kill', { signal: 'NOPE' }, 'signal'],
      ['remove', { force: 'yes' }, 'force'],
      ['exited', { code: 'x', at: 'T' }, 'code'],
    ] as const) {
      const r = commandToEvent(command, args, defaults);
      expect(r.ok, `${command} ${JSON.stringify(args)}`).to.equal(false);
      if (!r.ok) expect(r.issues.issues[0]?.path).to.deep.equal([field]);
    }
    expect(event('pause', { timeout: 3 })).to.deep.equal(events.pause());
  });

  it('every user command has a machine event the machine knows; internal ones are Berth\'s only', () => {
    expect([...INTERNAL_COMMANDS]).to.deep.equal(['exited', 'execExited', 'timer', 'refresh', 'health']);
    // a batch is a list of user commands, not a machine event of its own (actors/batch.ts)
    expect(COMMANDS).to.deep.equal(Object.keys(COMMAND_TABLE).filter((c) => !INTERNAL_COMMANDS.has(c) && c !== 'batch'));
    const configured = initialSnapshot({ stopSignal: 'SIGTERM', stopTimeout: 10 });
    // init, start, restart, cleanup, remove, sync (nothing to re-read), restore, mount and unmount (nothing mounted: nothing to do) apply in configured; the rest are known events (refused there)
    const EXEC = { session: 'f'.repeat(64), argv: ['true'] };
    const applies = COMMANDS.filter((c) => accepts(configured, event(c, c === 'exec' ? EXEC : {}) as MachineEventInput));
    expect(applies).to.deep.equal(['init', 'start', 'restart', 'cleanup', 'remove', 'sync', 'restore', 'mount', 'unmount']);
  });

  it('is what the job contract validates, and the CLI verbs send', () => {
    for (const name of Object.keys(COMMAND_TABLE)) {
      const internal: Record<string, object> = {
        exited: { code: 1, at: 'T' },
        timer: { timer: 'stopDeadline', v: 1 },
        exec: { session: 'f'.repeat(64), argv: ['true'] },
        execExited: { session: 'f'.repeat(64), code: 0, at: 'T' },
        refresh: { reason: 'rebooted' },
        health: { run: 1, probe: 1, exitCode: 0, text: '', start: 'T', end: 'T' },
        batch: { steps: [{ command: 'pause' }, { command: 'unpause' }] },
      };
      const args = internal[name] ?? {};
      expect(commandSchema.safeParse({ command: name, container: 'web', ...args }).success, name).to.equal(true);
    }
    expect(commandSchema.safeParse({ command: 'frobnicate', container: 'web' }).success).to.equal(false);
    expect(commandSchema.safeParse({ command: 'kill', container: 'web', signal: 'NOPE' }).success).to.equal(false);
    const verbs = VERBS.map((v) => v.command);
    for (const v of verbs) expect(COMMANDS).to.include(v);
    // exec, checkpoint, restore, healthcheck, mount and unmount have CLI commands of their own (cli/commands/exec.ts, checkpoint.ts, healthcheck.ts, storage.ts), not lifecycle verbs
    expect(COMMANDS.filter((c) => !verbs.includes(c)), 'user commands without a CLI verb').to.deep.equal(['cleanup', 'exec', 'checkpoint', 'restore', 'healthcheck', 'mount', 'unmount']);
  });
});
