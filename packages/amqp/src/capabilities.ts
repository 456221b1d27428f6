import type { Capabilities } from '@warren/core';

/** RabbitMQ implements every AMQP 0-9-1 feature warren models, and the session survives a cut connection. */
export const AMQP_CAPABILITIES: Capabilities = Object.freeze({
  exchangeTypes: Object.freeze(['direct', 'topic', 'fanout', 'headers'] as const),
  exchangeToExchange: true,
  persistent: true,
  acks: true,
  requeue: true,
  deadLetter: true,
  priorities: true,
  ttl: true,
  maxLength: true,
  guaranteedOrder: true,
  publisherConfirms: true,
  mandatory: true,
  exclusiveQueues: true,
  fetch: true,
  restartable: true,
  streams: true,
});
