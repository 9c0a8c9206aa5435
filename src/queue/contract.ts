/**
 * The job contract: what any BullMQ producer, in any language, puts on a node's queue, and what it
 * gets back. Validated with zod when a worker takes the job (foreign producers are untrusted).
 *
 *   queue:   "node.<NODE>", BullMQ prefix "{berth}:q" (so keys are "{berth}:q:node.<NODE>:…")
 *   name:    the command ("create", "start", "stop", …); data.command wins if they differ
 *   data:    { container: name or Id, command, ...arguments } (see commandSchema)
 *   result:  the container's inspect object (Podman's field names) after the command
 *   failure: failedReason "<CODE>: <message>", e.g. "ECTRSTATE: cannot stop container web in
 *            state paused: container state improper"; refused commands are not retried.
 */
import { z } from 'zod';
import { BerthError, isErrorCode } from '../errors.js';
import { containerSpecSchema, describeIssues, ID_PATTERN } from '../spec.js';

const target = z.string().min(1, 'container is required').max(253);
const seq = z.number().int().positive().optional();

export const commandSchema = z.discriminatedUnion('command', [
  /** `container` is the new container's Id (64 hex); producers may leave it out and Berth picks one. */
  z.object({ command: z.literal('create'), container: z.string().regex(ID_PATTERN, 'create takes a 64-hex Id').optional(), spec: containerSpecSchema, seq }),
  z.object({ command: z.enum(['init', 'start', 'pause', 'unpause', 'cleanup']), container: target, seq }),
  z.object({
    command: z.enum(['stop', 'restart']),
    container: target,
    timeout: z.number().int().min(0, 'timeout must not be negative').optional(),
    seq,
  }),
  z.object({ command: z.literal('kill'), container: target, signal: z.string().min(1).optional(), seq }),
  z.object({ command: z.literal('remove'), container: target, force: z.boolean().optional(), seq }),
  /** Internal: an exit the monitor recorded. */
  z.object({
    command: z.literal('exited'),
    container: target,
    code: z.number().int(),
    at: z.string(),
    oomKilled: z.boolean().optional(),
    /** The run that ended; an exit of an earlier run is ignored. */
    run: z.number().int().positive().optional(),
    seq,
  }),
  /** Internal: a durable timer fired (the stop deadline). */
  z.object({ command: z.literal('deadline'), container: target, event: z.string(), stops: z.number().int(), seq }),
]);

export type JobCommand = z.infer<typeof commandSchema>;
export type JobCommandName = JobCommand['command'];

/** Commands only Berth itself queues: an exit the monitor recorded, a fired timer. */
export const INTERNAL_COMMANDS: ReadonlySet<string> = new Set(['exited', 'deadline']);

export function parseJobCommand(data: unknown): JobCommand {
  const parsed = commandSchema.safeParse(data);
  if (!parsed.success) throw new BerthError('EINVAL', `invalid job: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** failedReason <-> BerthError, both ways, for the job contract. */
export function encodeFailure(err: BerthError): string {
  return `${err.code}: ${err.message}`;
}

/** A failedReason written by Berth's workers (`CODE: message`), not by BullMQ (a stall limit, say). */
export function isBerthFailure(reason: string | undefined): boolean {
  const m = /^([A-Z]+): /.exec(reason ?? '');
  return m !== null && isErrorCode(m[1]);
}

export function decodeFailure(reason: string | undefined): BerthError {
  const m = /^([A-Z]+): (.*)$/s.exec(reason ?? '');
  if (m && isErrorCode(m[1])) return new BerthError(m[1], m[2] ?? '');
  return new BerthError('EINTERNAL', reason ?? 'job failed');
}
