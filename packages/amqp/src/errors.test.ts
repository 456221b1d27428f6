import {
  AccessRefusedError,
  ConnectionError,
  NotFoundError,
  PreconditionFailedError,
  ResourceLockedError,
  WarrenError,
} from '@warren/core';
import { describe, expect, it } from 'vitest';
import { brokerText, mapConnectError, mapOperationError } from './errors.js';

/** An error as amqplib builds it for a channel closed by the broker. */
function channelClosed(code: number, text: string): Error {
  return Object.assign(new Error(`Operation failed: QueueDeclare; ${code} (X) with message "${text}"`), {
    code,
    classId: 50,
    methodId: 10,
  });
}

describe('mapOperationError', () => {
  it.each([
    [404, NotFoundError, "NOT_FOUND - no queue 'q' in vhost '/'"],
    [403, AccessRefusedError, "ACCESS_REFUSED - queue name 'amq.q' contains reserved prefix 'amq.*'"],
    [405, ResourceLockedError, "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'q' in vhost '/'"],
    [406, PreconditionFailedError, "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'q' in vhost '/'"],
  ])('maps reply code %i', (code, type, text) => {
    const mapped = mapOperationError(channelClosed(code, text), 'declaring queue "q"');
    expect(mapped).toBeInstanceOf(type);
    expect(mapped.message).toContain(text);
    expect(mapped.message).toContain('declaring queue "q"');
  });

  it('maps a forced close and errors without a code to ConnectionError', () => {
    expect(
      mapOperationError(channelClosed(320, 'CONNECTION_FORCED - closed via management plugin'), 'x'),
    ).toBeInstanceOf(ConnectionError);
    expect(mapOperationError(new Error('Channel ended, no reply will be forthcoming'), 'x')).toBeInstanceOf(
      ConnectionError,
    );
  });

  it('keeps warren errors as they are', () => {
    const error = new NotFoundError('already mapped');
    expect(mapOperationError(error, 'x')).toBe(error);
  });

  it("extracts the broker's own text", () => {
    expect(brokerText(channelClosed(404, 'NOT_FOUND - x'))).toBe('NOT_FOUND - x');
    expect(brokerText(new Error('plain'))).toBeUndefined();
  });
});

describe('mapConnectError', () => {
  const where = 'amqp://guest:***@127.0.0.1:5672/';

  it('maps a refused login to AccessRefusedError', () => {
    const error = new Error(
      'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused"',
    );
    const mapped = mapConnectError(error, where, '/');
    expect(mapped).toBeInstanceOf(AccessRefusedError);
    expect(mapped.message).toContain('wrong user name or password');
  });

  it('maps a missing virtual host to AccessRefusedError naming it', () => {
    const mapped = mapConnectError(
      new Error('Expected ConnectionOpenOk; got <ConnectionClose channel:0>'),
      where,
      'nope',
    );
    expect(mapped).toBeInstanceOf(AccessRefusedError);
    expect(mapped.message).toContain('virtual host "nope"');
  });

  it('maps a refused socket to ConnectionError that says what to do', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const mapped = mapConnectError(error, where, '/');
    expect(mapped).toBeInstanceOf(ConnectionError);
    expect(mapped.message).toContain(where);
    expect(mapped.message).toContain('start the broker (RabbitMQ: `docker run -d -p 5672:5672 rabbitmq:4`');
    // Only things a library user has: no file of this repository.
    expect(mapped.message).not.toMatch(/compose\.yml|scripts\//);
    expect(mapped).toBeInstanceOf(WarrenError);
  });
});
