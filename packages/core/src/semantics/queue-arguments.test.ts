import { describe, expect, it } from 'vitest';
import { normalizeQueueArguments, toAmqpQueueArguments } from './queue-arguments.js';

describe('queue arguments', () => {
  it('normalizes friendly and x- names alike', () => {
    expect(normalizeQueueArguments({ messageTtl: 10, 'x-max-length': 5, 'x-custom': true })).toEqual({
      messageTtl: 10,
      maxLength: 5,
      other: { 'x-custom': true },
    });
  });
  it('writes RabbitMQ names', () => {
    expect(
      toAmqpQueueArguments({ messageTtl: 60_000, deadLetterExchange: 'dlx', maxPriority: 10, queueType: 'quorum' }),
    ).toEqual({
      'x-message-ttl': 60_000,
      'x-dead-letter-exchange': 'dlx',
      'x-max-priority': 10,
      'x-queue-type': 'quorum',
    });
  });
});
