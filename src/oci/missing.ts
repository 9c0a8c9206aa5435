/**
 * The runtime of a node where the OCI runtime (or conmon) is not installed, as libpod's
 * oci_missing.go: every method fails with BerthError ENORUNTIME naming the missing binary, so the
 * worker can still start, report itself and refuse container work with a clear reason.
 */
import { basename } from 'node:path';
import { BerthError } from '../errors.js';
import type { ExitRecord, OciRuntime, RuntimePaths, RuntimeState } from './types.js';

export class MissingRuntime implements OciRuntime {
  readonly name: string;
  readonly logFiles = null;
  readonly execLogFiles = null;
  readonly stdio = null;
  readonly paths: RuntimePaths = Object.freeze({ private: Object.freeze([]) });

  /** `binary` is the path (or name) that was not found; `what` says what it is. */
  constructor(
    readonly binary: string,
    readonly what = 'OCI runtime',
  ) {
    this.name = basename(binary);
  }

  private missing(command: string): never {
    throw new BerthError('ENORUNTIME', `${this.what} ${this.binary} is missing or not executable: cannot ${command}`, { command });
  }

  async exec(): Promise<{ pid: number }> {
    return this.missing('exec');
  }
  async create(): Promise<{ pid: number }> {
    return this.missing('create');
  }
  async start(): Promise<void> {
    return this.missing('start');
  }
  async kill(): Promise<void> {
    return this.missing('kill');
  }
  async pause(): Promise<void> {
    return this.missing('pause');
  }
  async resume(): Promise<void> {
    return this.missing('resume');
  }
  async delete(): Promise<void> {
    return this.missing('delete');
  }
  async mount(): Promise<void> {
    return this.missing('mount');
  }
  async unmount(): Promise<void> {
    return this.missing('unmount');
  }
  async state(): Promise<RuntimeState | null> {
    return this.missing('state');
  }
  async list(): Promise<RuntimeState[]> {
    return this.missing('list');
  }
  async readExit(): Promise<ExitRecord | null> {
    return this.missing('readExit');
  }
  async clearExit(): Promise<void> {
    return this.missing('clearExit');
  }
  async purge(): Promise<void> {
    return this.missing('purge');
  }
  async checkpoint(): Promise<void> {
    return this.missing('checkpoint');
  }
  async restore(): Promise<{ pid: number }> {
    return this.missing('restore');
  }
  async checkpointSupport(): Promise<string | null> {
    return this.missing('checkpoint');
  }
}
