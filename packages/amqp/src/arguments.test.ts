import { describe, expect, it } from 'vitest';
import { toExchangeArguments, toQueueArguments } from './arguments.js';

describe('toQueueArguments', () => {
  it("translates core's friendly names to RabbitMQ's", () => {
    expect(
      toQueueArguments({
        messageTtl: 60_000,
        expires: 120_000,
        deadLetterExchange: 'dlx',
        deadLetterRoutingKey: 'dead',
        maxLength: 10,
        maxLengthBytes: 1024,
        overflow: 'reject-publish',
        maxPriority: 10,
        queueType: 'quorum',
      }),
    ).toEqual({
      'x-message-ttl': 60_000,
      'x-expires': 120_000,
      'x-dead-letter-exchange': 'dlx',
      'x-dead-letter-routing-key': 'dead',
      'x-max-length': 10,
      'x-max-length-bytes': 1024,
      'x-overflow': 'reject-publish',
      'x-max-priority': 10,
      'x-queue-type': 'quorum',
    });
  });

  it('passes raw x- arguments through and drops undefined values', () => {
    expect(toQueueArguments({ 'x-single-active-consumer': true, 'x-max-length': 5, messageTtl: undefined })).toEqual({
      'x-single-active-consumer': true,
      'x-max-length': 5,
    });
    expect(toQueueArguments(undefined)).toEqual({});
  });
});

describe('toExchangeArguments', () => {
  it('translates alternateExchange and keeps the rest', () => {
    expect(toExchangeArguments({ alternateExchange: 'ae', 'x-delayed-type': 'direct' })).toEqual({
      'alternate-exchange': 'ae',
      'x-delayed-type': 'direct',
    });
  });
});
