import { expect } from 'chai';
import { parseK8sLog } from '../../src/oci/index.js';

const T1 = '2026-11-28T14:59:57.204016773+00:00';
const T2 = '2026-11-28T14:59:57.555990405+00:00';

describe('oci/logs: parseK8sLog', () => {
  it('reads F records as lines, per stream', () => {
    expect(parseK8sLog(`${T1} stdout F hello\n${T1} stderr F err\n`)).to.deep.equal([
      { time: T1, stream: 'stdout', text: 'hello' },
      { time: T1, stream: 'stderr', text: 'err' },
    ]);
  });

  it('joins P records up to the next F of the same stream, keeping the first time', () => {
    const text = [`${T1} stdout P partial-no-newline`, `${T1} stderr F between`, `${T2} stdout F  rest`].join('\n');
    expect(parseK8sLog(text)).to.deep.equal([
      { time: T1, stream: 'stderr', text: 'between' },
      { time: T1, stream: 'stdout', text: 'partial-no-newline rest' },
    ]);
  });

  it('keeps empty lines, long lines split in chunks, and a trailing partial', () => {
    const text = [`${T1} stdout F `, `${T1} stdout P ${'a'.repeat(4096)}`, `${T1} stdout P ${'b'.repeat(10)}`, `${T1} stdout F`, `${T2} stdout P c`].join('\n');
    expect(parseK8sLog(text).map((l) => l.text)).to.deep.equal(['', `${'a'.repeat(4096)}${'b'.repeat(10)}`, 'c']);
  });

  it('skips lines that are not records', () => {
    expect(parseK8sLog('\ngarbage\n')).to.deep.equal([]);
  });
});
