import type { Capabilities } from '@warren/core';
import { EXCHANGE_TYPES } from '@warren/core';

/**
 * What redis:// does, honestly: every AMQP feature that core's shared semantics give over streams, except
 * priorities (a stream delivers in order; there is no per-priority stream here, so `maxPriority` is refused).
 * `persistent` is true because durable queues and messages are kept in Redis; whether they survive a Redis
 * restart depends on Redis's persistence settings (appendonly), which the README spells out.
 */
export const REDIS_CAPABILITIES: Capabilities = Object.freeze({
  exchangeTypes: EXCHANGE_TYPES,
  exchangeToExchange: true,
  persistent: true,
  acks: true,
  requeue: true,
  deadLetter: true,
  priorities: false,
  ttl: true,
  maxLength: true,
  guaranteedOrder: true,
  publisherConfirms: true,
  mandatory: true,
  exclusiveQueues: true,
  fetch: true,
  restartable: true,
});
