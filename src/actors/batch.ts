/**
 * A batch (the seed's Batch, issue 12): one mailbox entry holding steps (`[{ command, ...args }]`),
 * applied in order by one drain under one lease, so nothing of another command comes between them.
 *
 * Each step is committed as the machine goes (the history and the events stream show every
 * transition, labelled `batch <i>/<n> <command>` with the batch's job id); the batch's own result is
 * committed last, alone (no transition): ok, or the failed step's error, named by index and
 * command. The first step that is refused or whose runtime call fails ends it: the container stays
 * as the last applied step left it (a failed call leaves what the machine does on that failure).
 *
 * Exactly once: a batch job delivered again after its result was committed gets that result (the
 * mailbox's seq, as every command). A worker that dies in the middle leaves its steps' commits in
 * the events stream: the next drain first settles a step whose runtime call was in flight (from
 * runc's view, as any interrupted call), then reads which steps this job committed (jobCommands)
 * and goes on after the last of them; no step is applied twice. rm is refused inside a batch, and
 * so are exec, sync, another batch and every internal command (the command table's schema).
 */
import { BerthError, toBerthError } from '../errors.js';
import { COMMAND_TABLE, type BatchStep } from '../machines/index.js';
import { describeIssues } from '../spec.js';
import type { MailboxEntry } from './entry.js';

const LABEL = /^batch (\d+)\/(\d+) /;

export const stepLabel = (i: number, n: number, command: string): string => `batch ${i + 1}/${n} ${command}`;

/** What the host gives a batch: apply one step as `label` (resolves to what refused or failed it), and commit the end. */
export interface BatchHost {
  applyStep(step: MailboxEntry, label: MailboxEntry): Promise<BerthError | null>;
  finish(error: BerthError | null): Promise<void>;
  /** The commands this job committed lately, newest first. */
  committed(): Promise<string[]>;
}

/** The steps, checked again (a mailbox entry is data read back from Redis). */
function stepsOf(entry: MailboxEntry): BatchStep[] {
  const parsed = COMMAND_TABLE.batch.args.safeParse({ steps: entry['steps'] });
  if (!parsed.success) throw new BerthError('EINVAL', `invalid batch: ${describeIssues(parsed.error)}`);
  return parsed.data.steps as BatchStep[];
}

/** Index of the step after the last one this job committed (0 when none). */
export function resumeAt(committed: readonly string[]): number {
  let next = 0;
  for (const c of committed) {
    const m = LABEL.exec(c);
    if (m) next = Math.max(next, Number(m[1]));
  }
  return next;
}

export async function applyBatch(host: BatchHost, entry: MailboxEntry): Promise<void> {
  let steps: BatchStep[];
  try {
    steps = stepsOf(entry);
  } catch (err) {
    return host.finish(toBerthError(err, 'EINVAL'));
  }
  const from = resumeAt(await host.committed());
  for (let i = from; i < steps.length; i++) {
    const { command, ...args } = steps[i]!;
    const step: MailboxEntry = { ...args, command, container: entry.container, ...(entry.jobId === undefined ? {} : { jobId: entry.jobId }) };
    const failure = await host.applyStep(step, { ...step, command: stepLabel(i, steps.length, command) });
    if (failure) {
      return host.finish(
        new BerthError(failure.code, `batch step ${i + 1} of ${steps.length} (${command}) failed: ${failure.message}`, {
          ...(failure.container === undefined ? {} : { container: failure.container }),
          command: 'batch',
          ...(failure.state === undefined ? {} : { state: failure.state }),
        }),
      );
    }
  }
  return host.finish(null);
}
