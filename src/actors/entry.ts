/**
 * A mailbox entry (a command as the container's mailbox holds it) and the machine event it
 * becomes, by the command table (machines/commands.ts).
 */
import { BerthError } from '../errors.js';
import { commandToEvent, isTableCommand, type RestartBackoff } from '../machines/index.js';
import { describeIssues } from '../spec.js';
import { seqJobId } from '../store/keys.js';
import type { ContainerRecord } from '../store/records.js';
import type { MachineEventInput } from './step.js';

/** A mailbox entry: the job's command plus where it came from. */
export interface MailboxEntry {
  /** A command of the table (machines/commands.ts), or `create`. */
  command: string;
  container: string;
  jobId?: string;
  internal?: boolean;
  [arg: string]: unknown;
}

/** Entry `seq` from its JSON, with the job id every producer of Berth's uses for that seq. */
export function parseEntry(id: string, seq: number, text: string): MailboxEntry {
  const entry = JSON.parse(text) as MailboxEntry;
  entry.jobId ??= seqJobId(id, seq);
  return entry;
}

/**
 * A mailbox entry's machine event; null for an internal command that no longer applies (a timer
 * cancelled since); EINVAL when its command or arguments do not parse.
 */
export function toMachineEvent(entry: MailboxEntry, record: ContainerRecord, restartBackoff?: Partial<RestartBackoff>): MachineEventInput | null {
  if (!isTableCommand(entry.command)) throw new BerthError('EINVAL', `unknown command "${String(entry.command)}"`);
  const parsed = commandToEvent(entry.command, entry, { stopTimeout: record.spec.stopTimeout, timers: record.timers, ...(restartBackoff ? { restartBackoff } : {}) });
  if (!parsed.ok) throw new BerthError('EINVAL', `invalid ${entry.command} command: ${describeIssues(parsed.issues)}`);
  return parsed.event as MachineEventInput | null;
}
