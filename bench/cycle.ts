/** One container through every command, each command's time window recorded (profile and scale parts). */
import type { BerthClient } from '../src/queue/client.js';
import type { Command } from './latency.js';
import { nowMs } from './stats.js';

export interface CommandWindow {
  cmd: Command;
  id: string;
  t0: number;
  t1: number;
}

export async function timedCycle(c: BerthClient, name: string, rootfs: string, command: string[]): Promise<CommandWindow[]> {
  const t0 = nowMs();
  const { Id: id } = await c.create({ name, rootfs, command });
  const w: CommandWindow[] = [{ cmd: 'create', id, t0, t1: nowMs() }];
  const step = async (cmd: Command, fn: () => Promise<unknown>) => {
    const s = nowMs();
    await fn();
    w.push({ cmd, id, t0: s, t1: nowMs() });
  };
  await step('start', () => c.start(id));
  await step('pause', () => c.pause(id));
  await step('unpause', () => c.unpause(id));
  await step('kill', () => c.kill(id, { signal: 'SIGUSR1' }));
  await step('stop', () => c.stop(id, { timeout: 0 }));
  await step('rm', () => c.remove(id));
  return w;
}
