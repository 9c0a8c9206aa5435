/**
 * Berth's one error type. Every failure that reaches a user is a BerthError with a code from a
 * closed set (containerd's errdefs categories plus libpod's "container state improper").
 * Codes map to CLI exit codes and HTTP statuses in exactly one table each, below.
 */
import { excerpt } from './printable.js';

export const ERROR_CODES = [
  'ENOCTR', // no such container
  'EEXIST', // name or id already taken
  'ECTRSTATE', // container state improper (libpod ErrCtrStateInvalid)
  'ECTRSTOPPED', // container is stopped (libpod ErrCtrStopped)
  'ECTRRUNNING', // container is running (libpod ErrCtrStateRunning)
  'EINVAL', // invalid argument
  'ESTALE', // fence or version lost: another writer got there first
  'EOCI', // the OCI runtime failed; message carries runc's own error line
  'ENORUNTIME', // the runtime binary (or conmon) is missing or unusable
  'EUNSUPPORTED', // the host cannot do this (CRIU checkpoint, crun on hybrid cgroups)
  'EUNAVAIL', // Redis (or another dependency) unreachable
  'ETIMEOUT', // gave up waiting
  'ENOIMAGE', // no such image (libpod ErrImageUnknown: "image not known")
  'EIMAGEUSED', // image in use by a container (libpod ErrImageInUse)
  'EINTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface BerthErrorDetails {
  container?: string;
  command?: string;
  state?: string;
  cause?: unknown;
}

export class BerthError extends Error {
  readonly code: ErrorCode;
  readonly container: string | undefined;
  readonly command: string | undefined;
  readonly state: string | undefined;

  constructor(code: ErrorCode, message: string, details: BerthErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    Object.defineProperty(this, 'name', { value: 'BerthError', enumerable: false });
    this.code = code;
    this.container = details.container;
    this.command = details.command;
    this.state = details.state;
  }

  /** Plain data for a BullMQ failure reason or an HTTP body; `fromJSON` reverses it. */
  toJSON(): SerializedError {
    return {
      code: this.code,
      message: this.message,
      ...(this.container === undefined ? {} : { container: this.container }),
      ...(this.command === undefined ? {} : { command: this.command }),
      ...(this.state === undefined ? {} : { state: this.state }),
    };
  }

  static fromJSON(data: SerializedError): BerthError {
    return new BerthError(data.code, data.message, data);
  }
}

export interface SerializedError {
  code: ErrorCode;
  message: string;
  container?: string;
  command?: string;
  state?: string;
}

export function isBerthError(value: unknown): value is BerthError {
  return value instanceof BerthError;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * libpod's "no such container", naming what was asked for: input, possibly a producer's, so
 * escaped and shortened (printable.ts).
 */
export function noSuchContainer(nameOrId: string): BerthError {
  return new BerthError('ENOCTR', `no such container ${excerpt(nameOrId)}`, { container: nameOrId });
}

/** The message libpod gives for ErrCtrStateInvalid, naming the container, command and state. */
export function stateError(container: string, command: string, state: string): BerthError {
  const code: ErrorCode =
    command === 'stop' && (state === 'stopped' || state === 'exited')
      ? 'ECTRSTOPPED'
      : command === 'start' && state === 'running'
        ? 'ECTRRUNNING'
        : 'ECTRSTATE';
  const reason =
    code === 'ECTRSTOPPED'
      ? 'container is stopped'
      : code === 'ECTRRUNNING'
        ? 'container is running'
        : 'container state improper';
  // Podman 4's words for an exec into a container that is not running
  const message =
    command === 'exec'
      ? `cannot exec into container ${container} in state ${state}: can only create exec sessions on running containers: ${reason}`
      : `cannot ${command} container ${container} in state ${state}: ${reason}`;
  return new BerthError(code, message, { container, command, state });
}

/** libpod's refusal of a cleanup or a non-forced rm while exec sessions run (ErrCtrStateInvalid). */
export function execSessionsError(container: string, command: string, state: string): BerthError {
  const what = command === 'remove' ? 'remove' : command === 'cleanup' ? 'clean up' : command;
  return new BerthError('ECTRSTATE', `container ${container} has active exec sessions, refusing to ${what}: container state improper`, { container, command, state });
}

/**
 * The exit code of an exec whose process could not be started, from the runtime's words, as
 * Podman's define.ExitCode: 127 when the command is not found, 126 when it cannot be run.
 */
export function execFailureCode(message: string): 126 | 127 {
  return /not found|no such file|executable path is empty/i.test(message) ? 127 : 126;
}

/** CLI exit codes: Podman's convention, 125 for any error of Berth itself. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  ENOCTR: 125,
  EEXIST: 125,
  ECTRSTATE: 125,
  ECTRSTOPPED: 125,
  ECTRRUNNING: 125,
  EINVAL: 125,
  ESTALE: 125,
  EOCI: 125,
  ENORUNTIME: 125,
  EUNSUPPORTED: 125,
  EUNAVAIL: 125,
  ETIMEOUT: 125,
  ENOIMAGE: 125,
  EIMAGEUSED: 125,
  EINTERNAL: 125,
};

/**
 * Podman's own exit codes for some verbs, over EXIT_CODES (podman-rm(1): 1 no such container,
 * 2 container state improper, 125 any other error). The CLI's verbs only; the rest use EXIT_CODES.
 */
export const VERB_EXIT_CODES: Readonly<Record<string, Partial<Record<ErrorCode, number>>>> = {
  rm: { ENOCTR: 1, ECTRSTATE: 2, ECTRRUNNING: 2 },
  // podman-rmi(1): 1 no such image, 2 image in use
  'image rm': { ENOIMAGE: 1, EIMAGEUSED: 2 },
};

/** HTTP statuses for the inspector's JSON API. */
export const HTTP_STATUSES: Record<ErrorCode, number> = {
  ENOCTR: 404,
  EEXIST: 409,
  ECTRSTATE: 409,
  ECTRSTOPPED: 304,
  ECTRRUNNING: 304,
  EINVAL: 400,
  ESTALE: 409,
  EOCI: 500,
  ENORUNTIME: 503,
  EUNSUPPORTED: 501,
  EUNAVAIL: 503,
  ETIMEOUT: 504,
  ENOIMAGE: 404,
  EIMAGEUSED: 409,
  EINTERNAL: 500,
};

/** Socket errors of a connection, by errno code. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * What ioredis and Redis say while Redis is away or not yet serving: a closed connection, a
 * command out of retries (MaxRetriesPerRequestError), a server still loading its AOF or shutting
 * down. Recognised by shape, so this file imports no client library.
 */
const CONNECTION_MESSAGES = /^(Connection is closed|Reached the max retries per request limit|Stream isn't writeable|LOADING |BUSY |MASTERDOWN |TRYAGAIN |CLUSTERDOWN )/;

/** Redis (or the connection to it) is unavailable: the operation may be retried. */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof BerthError) return false;
  const e = err as Error & { code?: unknown; syscall?: unknown };
  return (
    e.name === 'MaxRetriesPerRequestError' ||
    (typeof e.code === 'string' && (CONNECTION_CODES.has(e.code) || (e.syscall === 'connect' && e.code === 'ENOENT'))) ||
    CONNECTION_MESSAGES.test(e.message)
  );
}

/**
 * Redis itself is unreachable (a connection error behind the EUNAVAIL), as opposed to another
 * unavailability (no live node for a placement) or an EUNAVAIL replayed from a stored result.
 */
export function isRedisUnavailable(e: BerthError): boolean {
  return e.code === 'EUNAVAIL' && isConnectionError(e.cause);
}

/** What Redis answers when it wants credentials (NOAUTH) or refuses the ones given (WRONGPASS). */
const AUTH_MESSAGES = /^(NOAUTH|WRONGPASS)\b/;

/** Redis refused this client's credentials: not "unreachable", and retrying will not help. */
export function isRedisAuthError(err: unknown): boolean {
  return err instanceof Error && !(err instanceof BerthError) && AUTH_MESSAGES.test(err.message);
}

/**
 * A refusal of credentials, said plainly: which Redis (`where`, already free of its password),
 * and that it needs a password or refused the one given. EUNAVAIL, as for any Redis Berth cannot use.
 */
export function redisAuthError(err: Error, where = 'Redis'): BerthError {
  const message = err.message.startsWith('NOAUTH')
    ? `${where} needs a password (NOAUTH): give it in the URL, redis://:PASSWORD@host:port, through --redis-file or BERTH_REDIS_URL_FILE`
    : `${where} refused the password (WRONGPASS): check the user and password in the URL`;
  return new BerthError('EUNAVAIL', message, { cause: err });
}

/**
 * Wraps anything thrown into a BerthError, keeping the original as `cause`. A connection error
 * is EUNAVAIL whatever the fallback: no raw client error reaches a user, and a worker retries it.
 */
export function toBerthError(err: unknown, fallback: ErrorCode = 'EINTERNAL'): BerthError {
  if (err instanceof BerthError) return err;
  if (isRedisAuthError(err)) return redisAuthError(err as Error);
  const message = err instanceof Error ? err.message : String(err);
  if (isConnectionError(err)) {
    // ioredis's own words point at its options; say what happened
    const what = (err as Error).name === 'MaxRetriesPerRequestError' ? 'the connection was lost and not re-established in time' : message;
    return new BerthError('EUNAVAIL', `Redis is unavailable: ${what}`, { cause: err });
  }
  return new BerthError(fallback, message, { cause: err });
}
