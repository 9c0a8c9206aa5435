import { expect } from 'chai';
import { execa, execaSync } from 'execa';
import { holderIdentity, identityOf, liveness, processIdentity } from '../../src/actors/liveness.js';

describe('actors/liveness: is a lease or lock holder dead?', () => {
  it('names this process by host, pid and start time, and finds it alive', () => {
    const me = processIdentity();
    expect(me).to.match(new RegExp(`^[0-9a-f]{12}\\.${process.pid}\\.\\d+$`));
    expect(liveness(me)).to.equal('alive');
  });

  it('finds a child alive while it runs, and dead once it has exited', async () => {
    const child = execa('sleep', ['30']);
    const id = identityOf(child.pid!);
    expect(id).to.be.a('string');
    expect(liveness(id!)).to.equal('alive');
    child.kill('SIGKILL');
    await child.catch(() => undefined);
    expect(liveness(id!)).to.equal('dead');
  });

  it('finds a zombie dead: killed but not yet reaped by its parent', async () => {
    // sh forks `sleep`, then execs `sleep` itself, never reaping its child
    const parent = execa('sh', ['-c', 'sleep 30 & exec sleep 30'], { stdio: 'ignore' });
    try {
      const childPid = await waitForChild(parent.pid!);
      const id = identityOf(childPid)!;
      expect(liveness(id)).to.equal('alive');
      process.kill(childPid, 'SIGKILL');
      await waitFor(() => liveness(id) === 'dead');
      expect(liveness(id)).to.equal('dead');
    } finally {
      parent.kill('SIGKILL');
      await parent.catch(() => undefined);
    }
  });

  it('takes a reused pid (another start time) for dead', () => {
    const [host, pid, start] = processIdentity().split('.');
    expect(liveness(`${host}.${pid}.${Number(start) + 1}`)).to.equal('dead');
  });

  it('cannot judge a holder on another host, or a token it cannot parse', () => {
    const [, pid, start] = processIdentity().split('.');
    expect(liveness(`000000000000.${pid}.${start}`)).to.equal('unknown');
    expect(liveness('')).to.equal('unknown');
    expect(liveness('node-a:1234:abcdef')).to.equal('unknown');
  });

  it('reads the process out of a lease token, whatever the node name', () => {
    const me = processIdentity();
    expect(holderIdentity(`node-1:${me}:a1b2c3`)).to.equal(me);
    expect(holderIdentity(`a:b:${me}:a1b2c3`)).to.equal(me);
    expect(holderIdentity('node-1:4242:a1b2c3')).to.equal('');
  });
});

async function waitForChild(pid: number): Promise<number> {
  let found = 0;
  await waitFor(() => {
    const r = execaSync('pgrep', ['-P', String(pid)], { reject: false });
    found = Number(r.stdout.split('\n')[0] || 0);
    return found > 0;
  });
  return found;
}

/** Polls a condition of the OS (no event tells when /proc changes), at most 5 s. */
async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}
