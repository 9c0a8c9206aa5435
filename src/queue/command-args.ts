/** A command's arguments, checked by the command table (machines/commands.ts); others are dropped. */
import { BerthError } from '../errors.js';
import { COMMAND_TABLE } from '../machines/index.js';
import { describeIssues } from '../spec.js';
import type { EnqueueArgs, EnqueueCommand } from './client-types.js';

export function validateCommandArgs(command: EnqueueCommand, args: EnqueueArgs): EnqueueArgs {
  const parsed = COMMAND_TABLE[command].args.safeParse(args);
  if (!parsed.success) throw new BerthError('EINVAL', `invalid arguments for ${command}: ${describeIssues(parsed.error)}`);
  return parsed.data as EnqueueArgs;
}
