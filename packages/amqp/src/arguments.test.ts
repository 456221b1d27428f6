import { ConfigurationError } from '@warren/core';
import { describe, expect, it } from 'vitest';
import { toExchangeArguments, toQueueArguments, withDefaultQueueType } from './arguments.js';

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

describe('queue types', () => {
  it('refuses a queue type RabbitMQ does not know, naming the ones it does', () => {
    expect(() => toQueueArguments({ queueType: 'nonsense' as 'quorum' })).toThrow(ConfigurationError);
    expect(() => toQueueArguments({ 'x-queue-type': 'lazy' })).toThrow(/'classic', 'quorum' or 'stream'/);
    expect(toQueueArguments({ 'x-queue-type': 'stream' })).toEqual({ 'x-queue-type': 'stream' });
  });

  it('gives durable queues without a type the connection default', () => {
    expect(withDefaultQueueType({ name: 'q', durable: true }, 'quorum')).toEqual({ 'x-queue-type': 'quorum' });
    // A named queue is durable unless told otherwise.
    expect(withDefaultQueueType({ name: 'q' }, 'quorum')).toEqual({ 'x-queue-type': 'quorum' });
    expect(withDefaultQueueType({ name: 'q' }, undefined)).toEqual({});
  });

  it('leaves alone what cannot be a quorum queue, and a type given by the queue itself', () => {
    expect(withDefaultQueueType({ name: 'q', durable: false }, 'quorum')).toEqual({});
    expect(withDefaultQueueType({ name: '' }, 'quorum')).toEqual({});
    expect(withDefaultQueueType({ name: 'q', exclusive: true }, 'quorum')).toEqual({});
    expect(withDefaultQueueType({ name: 'q', autoDelete: true }, 'quorum')).toEqual({});
    expect(withDefaultQueueType({ name: 'q', arguments: { maxPriority: 5 } }, 'quorum')).toEqual({
      'x-max-priority': 5,
    });
    expect(withDefaultQueueType({ name: 'q', arguments: { queueType: 'stream' } }, 'quorum')).toEqual({
      'x-queue-type': 'stream',
    });
  });
});
