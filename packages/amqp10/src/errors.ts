/**
 * rhea's errors and AMQP 1.0 error conditions mapped onto warren's error tree. The native error is kept as
 * `cause` (core scrubs URLs from it); messages name the broker and say what to do.
 */
import {
  AccessRefusedError,
  ConnectionError,
  NotFoundError,
  PreconditionFailedError,
  ResourceLockedError,
  UnsupportedFeatureError,
  type WarrenError,
} from '@warren/core';

/** An AMQP 1.0 error as rhea hands it over (an AmqpError, or an Error carrying `condition` and `description`). */
interface AmqpErrorLike {
  condition?: unknown;
  description?: unknown;
  message?: unknown;
  code?: unknown;
}

/** rhea hands some errors over undecoded: a described list `{ value: [condition, description, info] }`. */
interface DescribedError {
  value?: unknown;
}

function unwrap(field: unknown): unknown {
  return field !== null && typeof field === 'object' && 'value' in field ? (field as { value: unknown }).value : field;
}

/** The condition and description of an AMQP error, whether rhea decoded it or not. */
function fieldsOf(error: unknown): { condition?: string; description?: string } {
  if (error === null || typeof error !== 'object') return {};
  const e = error as AmqpErrorLike & DescribedError;
  if (typeof e.condition === 'string') {
    return { condition: e.condition, ...(typeof e.description === 'string' && { description: e.description }) };
  }
  if (Array.isArray(e.value)) {
    const condition = unwrap(e.value[0]);
    const description = unwrap(e.value[1]);
    return {
      ...(typeof condition === 'string' && { condition }),
      ...(typeof description === 'string' && { description }),
    };
  }
  return {};
}

/** The condition of an AMQP error (`amqp:not-found`), or undefined. */
export function conditionOf(error: unknown): string | undefined {
  return fieldsOf(error).condition;
}

/** The broker's text of an AMQP error. */
export function descriptionOf(error: unknown): string {
  const { description } = fieldsOf(error);
  if (description) return description;
  const message = (error as AmqpErrorLike | undefined)?.message;
  if (typeof message === 'string' && message !== '') return message;
  return String(error);
}

/** An AMQP error as a plain Error carrying its condition, for `cause` (rhea's may be an undecoded list). */
export function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  const normalized = new Error(descriptionOf(error)) as Error & { condition?: string };
  normalized.name = 'AmqpError';
  const condition = conditionOf(error);
  if (condition !== undefined) normalized.condition = condition;
  return normalized;
}

/**
 * Maps an error the broker attached to a detach, end or close, for `what` (such as `receiving from "/amq/queue/q"`):
 * the address or operation is named, and the broker's condition and text are kept.
 */
export function mapAmqpError(raw: unknown, what: string, brokerName: string): WarrenError {
  const error = asError(raw);
  const condition = conditionOf(raw) ?? conditionOf(error);
  const text = `${descriptionOf(raw)}${condition ? ` (${condition})` : ''}`;
  switch (condition) {
    case 'amqp:not-found':
      return new NotFoundError(
        `${brokerName} has no node for ${what}: ${text}. Declare the queue (or exchange) first, or check the name.`,
        { cause: error },
      );
    case 'amqp:unauthorized-access':
      return new AccessRefusedError(
        `${brokerName} refused ${what}: ${text}. Check the user's permissions (and the user name and password).`,
        { cause: error },
      );
    case 'amqp:precondition-failed':
      return new PreconditionFailedError(
        `${brokerName} refused ${what} because it contradicts what exists: ${text}. Use the existing settings (a durable queue needs a durable declaration) or delete it first.`,
        { cause: error },
      );
    case 'amqp:resource-locked':
      return new ResourceLockedError(`${brokerName} refused ${what}: ${text}. Another connection holds it.`, {
        cause: error,
      });
    case 'amqp:not-implemented':
      return new UnsupportedFeatureError(`${brokerName} does not implement ${what}: ${text}.`, { cause: error });
    default:
      return new ConnectionError(`${brokerName} ended ${what}: ${text}. warren reconnects by itself where it can.`, {
        cause: error,
      });
  }
}

/** Maps an error of opening the connection (socket, SASL, open frame). */
export function mapConnectError(error: unknown, endpoint: string): WarrenError {
  const condition = conditionOf(error);
  const code = (error as AmqpErrorLike | undefined)?.code;
  if (condition === 'amqp:unauthorized-access') {
    return new AccessRefusedError(
      `The AMQP 1.0 broker at ${endpoint} refused the login: ${descriptionOf(error)}. Check the user name and password in the URL (or use saslMechanism=ANONYMOUS where the broker allows it).`,
      { cause: error },
    );
  }
  if (condition === 'amqp:not-found' || condition === 'amqp:connection:forced') {
    return new AccessRefusedError(
      `The AMQP 1.0 broker at ${endpoint} refused the connection: ${descriptionOf(error)}. Check the virtual host (the URL's path, or the hostname option).`,
      { cause: error },
    );
  }
  if (code === 'ECONNREFUSED') {
    return new ConnectionError(
      `Nothing accepts connections at ${endpoint} (connection refused): check that the AMQP 1.0 broker runs and listens on that host and port.`,
      { cause: error },
    );
  }
  return new ConnectionError(`Connecting to the AMQP 1.0 broker at ${endpoint} failed: ${descriptionOf(error)}.`, {
    cause: error,
  });
}

/** The broker does not do `operation` over AMQP 1.0; `hint` says what to do instead. */
export function unsupported(brokerName: string, operation: string, hint: string): UnsupportedFeatureError {
  return new UnsupportedFeatureError(`${brokerName} cannot ${operation} over AMQP 1.0: ${hint}`);
}
