/** client.events' options, pure: times, cursors, filters, and the errors of bad ones. */
import { expect } from 'chai';
import { parseEventsOptions, parseFilterFlags } from '../../src/queue/event-options.js';
import { matchesFilter, type BerthEvent } from '../../src/queue/berth-event.js';
import { einval } from '../helpers/assert.js';

const at = (iso: string) => Date.parse(iso);

describe('queue: events options', () => {
  it('since: a time (inclusive, ms), a stream id (exclusive), or now; until alone replays everything', () => {
    expect(parseEventsOptions({}).start).to.deep.equal({ now: true });
    expect(parseEventsOptions({ since: '2026-12-02T23:00:00.5Z' }).start).to.deep.equal({ atMs: at('2026-12-02T23:00:00.500Z') });
    expect(parseEventsOptions({ since: '1796252772' }).start).to.deep.equal({ atMs: 1796252772000 });
    expect(parseEventsOptions({ since: new Date(5000) }).start).to.deep.equal({ atMs: 5000 });
    expect(parseEventsOptions({ since: '1796252772515-3' }).start).to.deep.equal({ after: '1796252772515-3' });
    const until = parseEventsOptions({ until: '2026-12-02T23:00:00Z' });
    expect(until).to.include({ untilMs: at('2026-12-02T23:00:00Z') });
    expect(until.start).to.deep.equal({ atMs: 0 });
    expect(parseEventsOptions({ until: '1796252772515-2' })).to.include({ untilMs: 1796252772515, untilId: '1796252772515-2' });
  });

  it('durations count back from now for since and forward for until', () => {
    const before = Date.now();
    const o = parseEventsOptions({ since: '10m', until: '1m' });
    const after = Date.now();
    const since = (o.start as { atMs: number }).atMs;
    expect(since).to.be.within(before - 600_000, after - 600_000);
    expect(o.untilMs).to.be.within(before + 60_000, after + 60_000);
  });

  it('filters: the CLI form and the object form agree; values OR, keys AND', () => {
    const flags = parseFilterFlags(['container=web', 'container=db', 'event=start', 'node=n1']);
    expect(flags).to.deep.equal({ container: ['web', 'db'], event: ['start'], node: ['n1'] });
    const o = parseEventsOptions({ filter: flags });
    const e = (over: Partial<BerthEvent>) => ({ ID: 'abcdef0123', Name: 'web', Status: 'start', Node: 'n1', ...over }) as BerthEvent;
    expect(matchesFilter(e({}), o)).to.equal(true);
    expect(matchesFilter(e({ Name: 'db', ID: 'ffff' }), o)).to.equal(true);
    expect(matchesFilter(e({ Name: 'other', ID: 'abc' }), parseEventsOptions({ filter: { container: 'abcd' } }))).to.equal(false);
    expect(matchesFilter(e({ Name: 'other' }), parseEventsOptions({ filter: { container: 'abcd' } }))).to.equal(true);
    expect(matchesFilter(e({ Status: 'died' }), o)).to.equal(false);
    expect(matchesFilter(e({ Node: 'n2' }), o)).to.equal(false);
    expect(matchesFilter(e({ Name: 'cache', ID: '99' }), o)).to.equal(false);
    expect(matchesFilter(e({}), parseEventsOptions({ filter: parseFilterFlags(['type=container', 'type=image']) }))).to.equal(true);
    expect(matchesFilter(e({}), parseEventsOptions({ filter: { type: 'image' } }))).to.equal(false);
  });

  it('bad options: EINVAL naming the option as the caller calls it', () => {
    expect(einval(() => parseFilterFlags(['colour=red']))).to.equal('`--filter` colour is an invalid filter: use container, event, node or type');
    expect(einval(() => parseFilterFlags(['=x']))).to.equal('`--filter` must be key=value (container=X, event=E, node=N or type=container), got "=x"');
    expect(einval(() => parseEventsOptions({ filter: { event: ['start', 'begin'] } }))).to.match(/^`filter` event=begin: not an event name \(attach, /);
    expect(einval(() => parseEventsOptions({ filter: { node: [] as string[], container: 7 as never } }))).to.equal('`filter.container` must be a non-empty string or an array of them, got 7');
    expect(einval(() => parseEventsOptions({ filter: ['container=web'] as never }))).to.match(/^`filter` must be an object/);
    expect(einval(() => parseEventsOptions({ since: 'last week' }, { since: '--since' }))).to.match(/^`--since` must be an RFC 3339 time/);
    expect(einval(() => parseEventsOptions({ until: '2026-02-30' }))).to.match(/^`until` must be an RFC 3339 time/);
    expect(einval(() => parseEventsOptions({ filter: { type: 'box' } }))).to.equal('`filter` type=box: not an event type (container, image, machine, network, pod, system, volume)');
    expect(einval(() => parseEventsOptions({ batch: 1.5 }))).to.equal('`batch` must be a whole number from 1 to 1000, got 1.5');
  });
});
