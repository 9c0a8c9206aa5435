/**
 * The storage operations a client asks of a container's node (issue 11): the seed's
 * Inspect(size), Export and AddArtifact / GetArtifact / RemoveArtifact. They are reads or side
 * files that leave the container's state as it is, so they are not machine commands: each is one
 * `storage` job on the node's queue (schema below, validated at the boundary), answered by the
 * node (queue/storage-jobs.ts), which refuses a container being removed. Mount and Unmount change
 * the container (its count of mounts): they are commands of the one table, applied under its lease.
 */
import { z } from 'zod';
import { ID_PATTERN } from '../spec.js';

/** Podman keeps artifacts as files named by their key: a file name, no path. */
export const ARTIFACT_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;
/** The default bound on one artifact (WorkerOptions.artifactMaxBytes). */
export const DEFAULT_ARTIFACT_MAX_BYTES = 1024 * 1024;
/** Over this, a client does not even send one (any node's bound is below). */
export const ARTIFACT_HARD_MAX_BYTES = 16 * 1024 * 1024;

const container = z.string().regex(ID_PATTERN, 'container is a 64-hex Id');
const key = z.string().regex(ARTIFACT_KEY, 'artifact keys are file names: letters, digits, _ . - (not first), at most 255');

export const storageOpSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('size'), container }),
  z.object({ op: z.literal('artifactAdd'), container, key, data: z.base64('data is base64').max(Math.ceil(ARTIFACT_HARD_MAX_BYTES / 3) * 4) }),
  z.object({ op: z.literal('artifactGet'), container, key }),
  z.object({ op: z.literal('artifactRemove'), container, key }),
  z.object({ op: z.literal('artifactList'), container }),
  /** A tar of the root into the export stream `session` (64 hex digits, the client's: it reads from the first chunk). */
  z.object({ op: z.literal('export'), container, session: z.string().regex(/^[0-9a-f]{64}$/, 'session must be 64 lowercase hex digits') }),
]);

export type StorageOp = z.infer<typeof storageOpSchema>;

/** What the node answers. */
export interface StorageResult {
  /** size: Podman's SizeRw (its upper dir's bytes) and SizeRootFs (its whole root's). */
  sizeRw?: number;
  sizeRootFs?: number;
  /** artifactGet: the bytes, base64. */
  data?: string;
  /** artifactList: the keys with their sizes. */
  artifacts?: { key: string; size: number }[];
  /** export: tar's exit code (the bytes went through the stream). */
  exitCode?: number;
}

/** The job name of a storage operation on a node's queue. */
export const STORAGE_JOB = 'storage';
