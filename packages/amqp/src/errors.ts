/**
 * amqplib's errors to warren's. amqplib reports a broker's channel or connection close as a plain Error with the
 * AMQP reply code in `code` (and the broker's text, such as "NOT_FOUND - no queue 'q' in vhost '/'", in the
 * message); socket errors carry Node's `code` (ECONNREFUSED, ...); an operation on a closed channel throws an
 * IllegalOperationError. Handshake failures have no code at all: only their message says what happened.
 */
import {
  AccessRefusedError,
  ConnectionError,
  NotFoundError,
  PreconditionFailedError,
  ResourceLockedError,
  WarrenError,
} from '@warren/core';

/** AMQP 0-9-1 reply codes that warren maps. */
export const ReplyCode = {
  CONNECTION_FORCED: 320,
  INVALID_PATH: 402,
  ACCESS_REFUSED: 403,
  NOT_FOUND: 404,
  RESOURCE_LOCKED: 405,
  PRECONDITION_FAILED: 406,
  NOT_ALLOWED: 530,
} as const;

/** The reply code of an amqplib error, when it has a numeric one. */
export function replyCodeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The broker's own explanation ("NOT_FOUND - no queue 'q' in vhost '/'") inside an amqplib message, if any. */
export function brokerText(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const match = /with message "([^"]*)"/.exec(message);
  return match?.[1];
}

/**
 * Maps an error from a broker operation (a declare, bind, delete, purge, get, consume, or a publish whose channel
 * the broker closed). `what` says what was being done, for the message: "declaring queue \"jobs\"".
 */
export function mapOperationError(error: unknown, what: string): WarrenError {
  if (error instanceof WarrenError) return error;
  const code = replyCodeOf(error);
  const detail = brokerText(error) ?? (error instanceof Error ? error.message : String(error));
  switch (code) {
    case ReplyCode.NOT_FOUND:
      return new NotFoundError(
        `The broker refused ${what}: ${detail}. Declare the exchange or queue first, or check its name and virtual host.`,
        { cause: error },
      );
    case ReplyCode.ACCESS_REFUSED:
      return new AccessRefusedError(
        /exclusive use/.test(detail)
          ? `The broker refused ${what}: ${detail}. Another consumer holds this queue exclusively: stop it, or consume without exclusive.`
          : `The broker refused ${what}: ${detail}. Grant the user permission on this resource (rabbitmqctl set_permissions), or use a name the user may touch (names starting with "amq." are reserved).`,
        { cause: error },
      );
    case ReplyCode.RESOURCE_LOCKED:
      return new ResourceLockedError(
        `The broker refused ${what}: ${detail}. Another connection owns this exclusive queue: use another name, or wait until that connection closes.`,
        { cause: error },
      );
    case ReplyCode.PRECONDITION_FAILED:
      return new PreconditionFailedError(
        /invalid arg 'x-stream-offset'/.test(detail)
          ? `The broker refused ${what}: ${detail}. streamOffset applies to stream queues only (declared with queueType: 'stream'): leave it out for this queue.`
          : `The broker refused ${what}: ${detail}. An existing exchange or queue has other arguments (delete it or declare it as it is), or an ifEmpty/ifUnused condition was not met.`,
        { cause: error },
      );
    default:
      return connectionError(error, `while ${what}`);
  }
}

/** A ConnectionError for a lost or broken connection or channel. */
export function connectionError(error: unknown, context: string): ConnectionError {
  const code = replyCodeOf(error);
  const detail = brokerText(error) ?? (error instanceof Error ? error.message : String(error));
  const forced = code === ReplyCode.CONNECTION_FORCED ? ' (the broker or an operator closed the connection)' : '';
  return new ConnectionError(
    `The AMQP connection or channel was closed ${context}: ${detail}${forced}. warren reconnects by itself; if this repeats, check the broker's log.`,
    { cause: error },
  );
}

/**
 * Maps a failure of `amqplib.connect`. `where` is the redacted URL. Wrong credentials and a missing virtual host
 * become AccessRefusedError, so that core stops retrying; everything else is a ConnectionError saying what to
 * check.
 */
export function mapConnectError(error: unknown, where: string, vhost: string): WarrenError {
  const message = error instanceof Error ? error.message : String(error);
  const code = replyCodeOf(error) ?? /Handshake terminated by server: (\d+)/.exec(message)?.[1];
  if (Number(code) === ReplyCode.ACCESS_REFUSED) {
    return new AccessRefusedError(
      `The broker at ${where} refused the login: wrong user name or password (or the user may not log in from this host). Check the credentials in the URL; warren will not retry with the same ones.`,
      { cause: error },
    );
  }
  // RabbitMQ closes the handshake with 530 NOT_ALLOWED for a missing virtual host or one the user has no access
  // to; amqplib reports only "Expected ConnectionOpenOk; got <ConnectionClose channel:0>".
  if (Number(code) === ReplyCode.NOT_ALLOWED || /Expected ConnectionOpenOk; got <ConnectionClose/.test(message)) {
    return new AccessRefusedError(
      `The broker at ${where} refused access to virtual host "${vhost}": it does not exist or the user has no permission on it. Create it (rabbitmqctl add_vhost) and grant access (rabbitmqctl set_permissions -p), or fix the URL's path.`,
      { cause: error },
    );
  }
  const errno = (error as { code?: unknown } | null)?.code;
  const hint =
    errno === 'ECONNREFUSED'
      ? 'nothing is listening there: start the broker (RabbitMQ: `docker run -d -p 5672:5672 rabbitmq:4`, or its system service) or fix the host and port'
      : errno === 'ENOTFOUND' || errno === 'EAI_AGAIN'
        ? 'the host name does not resolve: fix the host in the URL'
        : errno === 'ETIMEDOUT' || /ETIMEDOUT/.test(message)
          ? 'the broker did not answer in time: check that the host and port are an AMQP broker, and the network between'
          : /certificate|SSL|TLS|self.signed|CERT_/i.test(message)
            ? 'the TLS handshake failed: check the ca, cert, key and servername options (and that the port speaks TLS)'
            : 'check the host, the port and that the broker speaks AMQP 0-9-1 there';
  return new ConnectionError(`Cannot connect to the AMQP broker at ${where}: ${message}; ${hint}.`, { cause: error });
}
