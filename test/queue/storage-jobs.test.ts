/**
 * The node's storage jobs (queue/storage-jobs.ts) outside the mailbox: size, export and the
 * artifacts refuse a container being removed (rm purges its storage dir) and a removed one, and
 * the mount and unmount ops, now machine commands, are refused as invalid storage jobs. No Redis:
 * a store that answers one record.
 */
import { expect } from 'chai';
import { runStorageOp, type StorageJobOptions } from '../../src/queue/storage-jobs.js';
import type { ContainerStore } from '../../src/store/containers.js';
import type { Keys } from '../../src/store/keys.js';
import type { ContainerRecord } from '../../src/store/records.js';

const ID = 'a'.repeat(64);
const optionsFor = (status: string): StorageJobOptions => {
  const record = { id: ID, name: 'web', node: 'n1', status, spec: { rootfs: '/srv/rootfs' } } as unknown as ContainerRecord;
  return { store: { get: async () => record } as unknown as ContainerStore, keys: {} as Keys, node: 'n1', dir: '/nonexistent/storage', artifactMaxBytes: 1024 };
};
const outcome = (status: string, op: Record<string, unknown>) =>
  runStorageOp(optionsFor(status), { container: ID, ...op }).then(
    () => 'done',
    (e: { code: string; message: string }) => `${e.code}: ${e.message}`,
  );

describe('queue/storage-jobs: outside the mailbox, never on a container being removed', () => {
  it('refuses size, export and every artifact op of a container being removed, in words that name the op', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ op: 'size' }, 'cannot measure container web as it is being removed'],
      [{ op: 'export', session: 'b'.repeat(64) }, 'cannot mount container web as it is being removed'],
      [{ op: 'artifactAdd', key: 'k', data: 'dg==' }, 'cannot add an artifact to container web as it is being removed'],
      [{ op: 'artifactGet', key: 'k' }, 'cannot get an artifact of container web as it is being removed'],
      [{ op: 'artifactRemove', key: 'k' }, 'cannot remove an artifact of container web as it is being removed'],
      [{ op: 'artifactList' }, 'cannot list the artifacts of container web as it is being removed'],
    ];
    for (const [op, message] of cases) expect(await outcome('removing', op), String(op['op'])).to.equal(`ECTRSTATE: ${message}`);
    expect(await outcome('removed', { op: 'artifactList' })).to.equal(`ENOCTR: container ${ID} has been removed`);
  });

  it('mount and unmount are not storage jobs any more (machine commands): invalid, nothing done', async () => {
    for (const op of ['mount', 'unmount']) expect(await outcome('exited', { op })).to.match(/^EINVAL: invalid storage job: /);
    // a container not being removed is served (an empty list: it has no artifacts dir)
    expect(await outcome('exited', { op: 'artifactList' })).to.equal('done');
  });
});
