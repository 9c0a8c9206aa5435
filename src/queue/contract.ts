/**
 * The job contract: what any BullMQ producer, in any language, puts on a node's queue, and what it
 * gets back. Validated with zod when a worker takes the job (foreign producers are untrusted).
 *
 *   queue:   "node.<NODE>", BullMQ prefix "{berth}:q" (so keys are "{berth}:q:node.<NODE>:…")
 *   name:    the command ("create", "start", "stop", …); data.command wins if they differ
 *   data:    { container: name or Id, command, ...arguments, traceparent? } (see commandSchema);
 *            `traceparent` (W3C Trace Context) makes the worker's spans children of the producer's
 *   result:  the container's inspect object (Podman's field names) after the command
 *   failure: failedReason "<CODE>: <message>", e.g. "ECTRSTATE: cannot stop container web in
 *            state paused: container state improper"; refused commands are not retried.
 */
import { z } from 'zod';
import { BerthError, isErrorCode } from '../errors.js';
import { COMMAND_TABLE, INTERNAL_COMMANDS, type TableCommand } from '../machines/index.js';
import { containerSpecSchema, describeIssues, ID_PATTERN } from '../spec.js';
import { traceparentSchema } from '../telemetry/index.js';

export { INTERNAL_COMMANDS };

const target = z.string().min(1, 'container is required').max(253);
const seq = z.number().int().positive().optional();
/** The producer's trace (tracing: telemetry/); it travels on in the command's mailbox entry. */
const traceparent = traceparentSchema.optional();

/** `container` is the new container's Id (64 hex); producers may leave it out and Berth picks one. */
const createSchema = z.object({ command: z.literal('create'), container: z.string().regex(ID_PATTERN, 'create takes a 64-hex Id').optional(), spec: containerSpecSchema, seq, traceparent });

/** Every other command, from the command table (machines/commands.ts): its arguments beside the target. */
const tableSchemas = (Object.keys(COMMAND_TABLE) as TableCommand[]).map((name) =>
  COMMAND_TABLE[name].args.extend({ command: z.literal(name), container: target, seq, traceparent }),
);

export const commandSchema = z.discriminatedUnion('command', [createSchema, ...tableSchemas]);

export type JobCommand = z.infer<typeof commandSchema>;
export type JobCommandName = JobCommand['command'];

export function parseJobCommand(data: unknown): JobCommand {
  const parsed = commandSchema.safeParse(data);
  if (!parsed.success) throw new BerthError('EINVAL', `invalid job: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** The longest failedReason Berth writes: a message quoting a producer's input is cut short. */
export const FAILURE_MAX = 300;

/**
 * failedReason <-> BerthError, both ways, for the job contract. A reason is one line: control
 * characters a producer's input brought into the message are escaped (\u001b, \n), and it is cut
 * at FAILURE_MAX characters, so a reason never carries a producer's input in full.
 */
export function encodeFailure(err: BerthError): string {
  const line = `${err.code}: ${err.message}`.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return line.length > FAILURE_MAX ? `${line.slice(0, FAILURE_MAX - 1)}…` : line;
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

/** A schema's argument list for the docs: `timeout?`, `signal?`, … ('' for none). */
function argumentList(schema: z.ZodObject): string {
  return Object.entries(schema.shape)
    .map(([key, field]) => `\`${key}${(field as z.ZodType).safeParse(undefined).success ? '?' : ''}\``)
    .join(', ');
}

/**
 * The README's job contract table, from the command table: the commands anyone may queue, then
 * `create`. Berth-only commands are left out: a job carrying one from a producer is refused.
 */
export function contractTable(): string {
  const rows = (Object.keys(COMMAND_TABLE) as TableCommand[])
    .filter((name) => !COMMAND_TABLE[name].internal)
    .map((name) => `| \`${name}\` | ${argumentList(COMMAND_TABLE[name].args) || 'none'} | ${COMMAND_TABLE[name].help} |`);
  const fields = Object.entries(containerSpecSchema.shape).map(([key, field]) => `${key}${(field as z.ZodType).safeParse(undefined).success ? '?' : ''}`);
  const create = `| \`create\` | \`spec\`, \`container?\` | a container in state configured on its node; \`spec\`: \`{ ${fields.join(', ')} }\` (see [Isolation](#isolation) for \`rootfs\`, \`network\`, \`seccomp\` and \`pidsLimit\`, [Images and container storage](#images-and-container-storage) for \`image\`, \`entrypoint\`, \`user\`, \`labels\` and \`readOnly\`; exactly one of \`rootfs\` and \`image\`); \`container\`: the new Id, 64 hex digits |`;
  return ['| command | arguments | what it does |', '|---|---|---|', ...rows, create].join('\n');
}
