/**
 * The job contract's `traceparent` (W3C Trace Context, version 00): how a producer's trace
 * travels with a command through its job and its mailbox entry to the worker. Validated at the
 * boundary like every other field of a job.
 */
import { z } from 'zod';

/** `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`, ids not all zeros. */
export const TRACEPARENT_PATTERN = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

export const traceparentSchema = z
  .string()
  .max(55)
  .regex(TRACEPARENT_PATTERN, 'must be a W3C traceparent: 00-<32 hex trace id>-<16 hex span id>-<2 hex flags> (lowercase, ids not all zero)');
