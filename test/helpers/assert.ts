import { expect } from 'chai';
import { BerthError } from '../../src/errors.js';

/** The BerthError a promise rejects with; fails the test when it resolves or throws anything else. */
export async function rejection(p: Promise<unknown>): Promise<BerthError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(BerthError);
    return err as BerthError;
  }
  throw new Error('expected a rejection');
}

/** The message of the EINVAL a synchronous call throws; fails the test otherwise. */
export function einval(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(BerthError);
    expect((err as BerthError).code).to.equal('EINVAL');
    return (err as BerthError).message;
  }
  throw new Error('expected EINVAL');
}
