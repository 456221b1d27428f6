import { AccessRefusedError, ConnectionError, NotFoundError, PreconditionFailedError, WarrenError } from '@warren/core';

/** A cause without the command arguments ioredis attaches (an AUTH command error would carry the password). */
function cleanCause(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const clean = new Error(error.message);
  clean.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) (clean as { code?: unknown }).code = code;
  return clean;
}

/** Whether an error means the connection is gone (as opposed to Redis refusing one command). */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof ConnectionError) return true;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  return (
    typeof code === 'string' ||
    /Connection is closed|Stream isn't writeable|connect E|read E|write E|socket|ended|Command timed out/i.test(message)
  );
}

/**
 * Redis's and ioredis's errors as warren's, with `what` (the operation, naming the key or queue) in the message.
 * Never carries a password: the message names the user only, and the cause is a fresh error without arguments.
 */
export function mapRedisError(error: unknown, what: string): WarrenError {
  if (error instanceof WarrenError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const cause = cleanCause(error);
  if (/^(WRONGPASS|NOAUTH|NOPERM)/.test(message)) {
    return new AccessRefusedError(
      `Redis refused ${what}: ${message.split(/[.\n]/)[0]}. Check the user and password in the URL (redis://user:password@host) and the user's ACL.`,
      { cause },
    );
  }
  if (/ECONNREFUSED/.test(message)) {
    return new ConnectionError(
      `Redis refused the connection for ${what}. Check that Redis is running at that host and port.`,
      {
        cause,
      },
    );
  }
  if (/^WRONGTYPE/.test(message)) {
    return new PreconditionFailedError(
      `${what}: a Redis key holds another type than warren expects (${message}). Use another prefix or name, or remove the key.`,
      { cause },
    );
  }
  if (/^NOGROUP/.test(message)) {
    return new NotFoundError(
      `${what}: the queue's stream or consumer group is gone (the queue was deleted). Declare it again.`,
      {
        cause,
      },
    );
  }
  if (isConnectionFailure(error)) {
    return new ConnectionError(`The connection to Redis was lost during ${what}: ${message}`, { cause });
  }
  return new WarrenError(`Redis failed ${what}: ${message}`, { cause });
}
