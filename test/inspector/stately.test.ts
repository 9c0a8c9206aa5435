/**
 * `--stately`: each transition becomes @statelyai/inspect events (an actor registration with the
 * machine definition, then an event and a snapshot), sent over its WebSocket adapter. Received
 * here by a plain WebSocket server on loopback. Skipped when the optional package is absent.
 */
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createLogger } from '../../src/log.js';
import type { EventFeed, StreamEntry, TransitionEvent } from '../../src/store/events.js';
import { inspectionOf, startStatelyRelay, stateValueOf } from '../../src/inspector/stately.js';

interface WsServer {
  on(event: 'connection', cb: (socket: { on(event: 'message', cb: (data: Buffer) => void): void }) => void): void;
  on(event: 'listening', cb: () => void): void;
  address(): AddressInfo;
  close(): void;
}

const log = createLogger({ level: 'silent', pretty: false });

function transition(to: string, version: number, command: string): TransitionEvent {
  return {
    id: 'a'.repeat(64),
    name: 'web',
    node: 'n1',
    version,
    from: 'running.idle',
    to,
    command,
    jobId: `${'a'.repeat(64)}-${version}`,
    at: new Date().toISOString(),
    ms: 3,
    state: { State: { Status: to.split('.')[0] ?? to, Activity: '', ExitCode: 0, Error: '', ...{ Pid: 42 } }, RestartCount: 0 },
  };
}

describe('inspector: --stately relay', function () {
  let WebSocketServer: new (opts: { host: string; port: number }) => WsServer;

  before(async function () {
    try {
      await import('@statelyai/inspect' as string);
      WebSocketServer = ((await import('ws' as string)) as { WebSocketServer: typeof WebSocketServer }).WebSocketServer;
    } catch {
      this.skip();
    }
  });

  it('maps state paths to state values and transitions to inspection data', () => {
    expect(stateValueOf('running.pausing')).to.deep.equal({ running: 'pausing' });
    expect(stateValueOf('running')).to.deep.equal({ running: 'idle' });
    expect(stateValueOf('stopping')).to.deep.equal({ stopping: 'signalling' });
    expect(stateValueOf('unknown')).to.deep.equal({ unknown: 'idle' });
    expect(stateValueOf('removed')).to.equal('removed');
    const { event, snapshot } = inspectionOf(transition('running.pausing', 7, 'pause'));
    expect(event).to.deep.equal({ type: 'cmd.pause' });
    expect(snapshot).to.deep.include({ status: 'active', value: { running: 'pausing' } });
    expect(snapshot.context).to.include({ name: 'web', pid: 42, version: 7 });
    expect(inspectionOf(transition('stopped.idle', 8, 'exited (internal)')).event).to.deep.equal({ type: 'berth.exited' });
    expect(inspectionOf(transition('removed', 9, 'remove')).snapshot.status).to.equal('done');
  });

  it('sends actor, event and snapshot inspection events to the inspector WebSocket', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => server.on('listening', r));
    const got: { type: string; sessionId: string; definition?: string; snapshot?: { value: unknown }; event?: { type: string } }[] = [];
    let arrived: () => void = () => {};
    const three = new Promise<void>((r) => (arrived = r));
    server.on('connection', (socket) =>
      socket.on('message', (data) => {
        got.push(JSON.parse(data.toString()) as (typeof got)[number]);
        if (got.length >= 5) arrived();
      }),
    );
    let emit: (entry: StreamEntry) => void = () => {};
    const feed = { subscribe: (l: (e: StreamEntry) => void) => ((emit = l), () => undefined) } as unknown as EventFeed;
    const relay = await startStatelyRelay({ url: `ws://127.0.0.1:${server.address().port}`, feed, log });
    emit({ streamId: '1-0', event: transition('running.pausing', 7, 'pause') });
    emit({ streamId: '2-0', event: transition('paused.idle', 8, 'pause') });
    await three;
    await relay.close();
    server.close();
    expect(got.map((e) => e.type)).to.deep.equal(['@xstate.actor', '@xstate.event', '@xstate.snapshot', '@xstate.event', '@xstate.snapshot']);
    expect(new Set(got.map((e) => e.sessionId))).to.deep.equal(new Set(['a'.repeat(64)]));
    expect(JSON.parse(got[0]?.definition ?? '{}')).to.include({ id: 'container', initial: 'configured' });
    expect(got[2]?.snapshot?.value).to.deep.equal({ running: 'pausing' });
    expect(got[4]?.snapshot?.value).to.deep.equal({ paused: 'idle' });
    expect(got[3]?.event).to.deep.equal({ type: 'cmd.pause' });
  });
});
