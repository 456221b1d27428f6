/**
 * ioredis errors as core's error tree. Messages name where Redis is (host:port, never a password); the cause is
 * scrubbed by core (`command.args` of an ioredis error holds AUTH's password, so it is not kept).
 */
import { AccessRefusedError, ConnectionError, PreconditionFailedError, TimeoutError, WarrenError } from '@warren/core';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'EPIPE']);

/** Maps what ioredis threw while doing `what` against Redis at `label`. */
export function channelError(error: unknown, label: string, what: string): WarrenError {
  if (error instanceof WarrenError) return error;
  const err = error instanceof Error ? error : new Error(String(error));
  const code = (err as Error & { code?: unknown }).code;
  const message = err.message;
  if (/WRONGPASS|NOAUTH|invalid username-password|NOPERM/i.test(message)) {
    return new AccessRefusedError(
      `Redis at ${label} refused ${what}: ${/NOPERM/i.test(message) ? 'the ACL user lacks a permission it needs' : 'wrong user name or password'}. Check the channel's redis options (username, password).`,
      { cause: err },
    );
  }
  if (/^WRONGTYPE/.test(message)) {
    return new PreconditionFailedError(
      `Redis at ${label} holds a key of another type where a channel keeps its data (${what}): pick another channel prefix or remove that key.`,
      { cause: err },
    );
  }
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) {
    return new TimeoutError(`Redis at ${label} did not answer in time (${what}); check that it is up and reachable.`, {
      cause: err,
    });
  }
  if (
    (typeof code === 'string' && CONNECTION_CODES.has(code)) ||
    /Connection is closed|max retries per request|Stream isn't writeable|connect E|offline queue/i.test(message)
  ) {
    return new ConnectionError(
      `Cannot reach Redis at ${label} (${what}: ${typeof code === 'string' ? code : message}). Start Redis there, or fix the channel's redis options.`,
      { cause: err },
    );
  }
  return new WarrenError(`Redis at ${label} failed ${what}: ${message}`, { cause: err });
}
