/**
 * warren's error tree. Every backend maps its native errors onto these classes so that user code can
 * `catch (e) { if (e instanceof NotFoundError) ... }` whatever the broker. Each error keeps `name` set to its
 * class name and the original error as `cause` (scrubbed of credentials, see {@link redactCause}).
 */

/** Options of every warren error's constructor. */
export interface WarrenErrorOptions {
  /** The error this one stems from; kept as `cause` with credentials scrubbed (see {@link redactCause}). */
  cause?: unknown;
}

/**
 * The base of every error warren throws, rejects with or reports: `catch (e) { if (e instanceof WarrenError) ... }`
 * catches them all, and each subclass names one kind of failure whatever the broker.
 */
export class WarrenError extends Error {
  /** The class name (`'NotFoundError'`, ...), set as a field so that it survives minification and serialization. */
  override name = 'WarrenError';
  constructor(message: string, options?: WarrenErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: redactCause(options.cause) });
  }
}

/** A bad URL or bad options: fix the configuration, retrying will not help. */
export class ConfigurationError extends WarrenError {
  override name = 'ConfigurationError';
}

/** The connection was refused, lost or broken. Usually transient: warren reconnects by itself where it can. */
export class ConnectionError extends WarrenError {
  override name = 'ConnectionError';
}
/** kombu's name for {@link ConnectionError}. */
export const ConnectionBrokenError = ConnectionError;
/** kombu's name for {@link ConnectionError}. */
export type ConnectionBrokenError = ConnectionError;

/** Bad credentials, or no permission for a resource (AMQP 403). */
export class AccessRefusedError extends WarrenError {
  override name = 'AccessRefusedError';
}

/** An exchange or queue that does not exist (AMQP 404). */
export class NotFoundError extends WarrenError {
  override name = 'NotFoundError';
}

/** Redeclared with other arguments, or `ifEmpty`/`ifUnused` not met (AMQP 406). */
export class PreconditionFailedError extends WarrenError {
  override name = 'PreconditionFailedError';
}

/** An exclusive queue owned by another connection (AMQP 405). */
export class ResourceLockedError extends WarrenError {
  override name = 'ResourceLockedError';
}

/** A `mandatory` message that no queue took. */
export class NoRouteError extends WarrenError {
  override name = 'NoRouteError';
}

/**
 * The broker refused responsibility for a published message (AMQP basic.nack; a full queue with overflow
 * `reject-publish`). Sending again later may succeed.
 */
export class MessageNackedError extends WarrenError {
  override name = 'MessageNackedError';
}

/** A content type that the consumer's `accept` list does not allow. */
export class ContentDisallowedError extends WarrenError {
  override name = 'ContentDisallowedError';
}

/** A value that cannot be encoded, or bytes that cannot be decoded. */
export class SerializationError extends WarrenError {
  override name = 'SerializationError';
}

/** A message acknowledged twice, or an operation on a closed publisher or consumer. */
export class MessageStateError extends WarrenError {
  override name = 'MessageStateError';
}

/** A body that does not match a publisher's or consumer's schema. */
export class ValidationError extends WarrenError {
  override name = 'ValidationError';
  /** The validator's list of problems, when it gave one. */
  readonly issues: readonly unknown[];
  constructor(message: string, options?: WarrenErrorOptions & { issues?: readonly unknown[] }) {
    super(message, options);
    this.issues = options?.issues ?? [];
  }
}

/** An operation that did not finish in time. */
export class TimeoutError extends WarrenError {
  override name = 'TimeoutError';
}

/** A feature the transport does not have (see `conn.capabilities`). */
export class UnsupportedFeatureError extends WarrenError {
  override name = 'UnsupportedFeatureError';
}

/**
 * An RPC handler threw: `remoteName` is the name of what it threw (`TypeError`, `ValidationError`, ...) and
 * `message` its message. Nothing else of the remote error (no stack, no properties) crosses the wire.
 */
export class RemoteError extends WarrenError {
  override name = 'RemoteError';
  /** The `name` of the error the remote handler threw. */
  readonly remoteName: string;
  constructor(remoteName: string, message: string, options?: WarrenErrorOptions) {
    super(message, options);
    this.remoteName = remoteName;
  }
}

const PASSWORD_IN_URL = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]*)@/gi;

/** Replaces the password of every URL found in a string by `***`. */
export function redactUrls(text: string): string {
  return text.replace(PASSWORD_IN_URL, '$1***@');
}

/**
 * Copies an error into a plain Error whose message and stack have passwords removed, without the properties
 * where drivers hide credentials (`input` of a URL TypeError, `command.args` of an ioredis error).
 */
export function redactCause(cause: unknown): unknown {
  if (!(cause instanceof Error)) return typeof cause === 'string' ? redactUrls(cause) : cause;
  if (cause instanceof WarrenError) return cause;
  const copy = new Error(redactUrls(cause.message));
  copy.name = cause.name;
  if (cause.stack) copy.stack = redactUrls(cause.stack);
  const source = cause as Error & { code?: unknown; errno?: unknown; syscall?: unknown };
  const target = copy as Error & { code?: unknown; errno?: unknown; syscall?: unknown };
  if (source.code !== undefined) target.code = source.code;
  if (source.errno !== undefined) target.errno = source.errno;
  if (source.syscall !== undefined) target.syscall = source.syscall;
  return copy;
}

/** Turns anything thrown into an Error, for `error` events and callbacks. */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
