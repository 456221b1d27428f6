import type { Capabilities } from '@warren/core';

/**
 * A broker reached through plain node addresses (the Qpid Proton example broker; ActiveMQ, Artemis, Qpid and
 * Azure Service Bus are addressed the same way): queues are nodes created on first use or beforehand, there are
 * no exchanges beyond the default one, and nothing in AMQP 1.0 declares arguments, binds, purges or counts.
 * What the Proton example broker does with a settled delivery is nothing: it forgets a message once sent, so
 * acks, requeue and recovery after a cut are not claimed; it keeps order and accepts each send.
 */
export const PLAIN_CAPABILITIES: Capabilities = Object.freeze({
  exchangeTypes: Object.freeze([] as const),
  exchangeToExchange: false,
  persistent: false,
  acks: false,
  requeue: false,
  deadLetter: false,
  priorities: false,
  ttl: false,
  maxLength: false,
  guaranteedOrder: true,
  publisherConfirms: true,
  mandatory: false,
  exclusiveQueues: false,
  fetch: false,
  restartable: false,
});

/**
 * RabbitMQ 3.10's AMQP 1.0 plugin on its own: messages to existing exchanges (`/exchange/X/key`) and queues
 * (`/amq/queue/Q`), durable or transient queues declared by attaching to `/queue/Q`; accept, release (requeue)
 * and reject work. Declaring exchanges, bindings and queue arguments is impossible over AMQP 1.0 on 3.10, and
 * link drain crashes the session (so no fetch or purge).
 */
export const RABBITMQ_CAPABILITIES: Capabilities = Object.freeze({
  exchangeTypes: Object.freeze([] as const),
  exchangeToExchange: false,
  persistent: true,
  acks: true,
  requeue: true,
  deadLetter: false,
  priorities: false,
  ttl: false,
  maxLength: false,
  guaranteedOrder: true,
  publisherConfirms: true,
  mandatory: false,
  exclusiveQueues: false,
  fetch: false,
  restartable: true,
});

/**
 * RabbitMQ with `topologyUrl`: the topology is declared over AMQP 0-9-1 (direct, topic and fanout exchanges,
 * bindings, TTL, max length, priorities), and `fetch` and `purge` go through it too; messages flow over AMQP 1.0.
 * Not claimed, because RabbitMQ 3.10's plugin cannot: `headers` exchanges (it hands application properties to
 * AMQP 0-9-1 as one encoded blob, so no header matches), `deadLetter` (messages are dead-lettered, but the
 * `x-death` header is not visible over AMQP 1.0), `mandatory` (AMQP 1.0 has no unroutable return: RabbitMQ
 * accepts and drops), exclusive queues (one would belong to the AMQP 0-9-1 connection, and the AMQP 1.0 consumer
 * could not read it).
 */
export const RABBITMQ_TOPOLOGY_CAPABILITIES: Capabilities = Object.freeze({
  exchangeTypes: Object.freeze(['direct', 'topic', 'fanout'] as const),
  exchangeToExchange: true,
  persistent: true,
  acks: true,
  requeue: true,
  deadLetter: false,
  priorities: true,
  ttl: true,
  maxLength: true,
  guaranteedOrder: true,
  publisherConfirms: true,
  mandatory: false,
  exclusiveQueues: false,
  fetch: true,
  restartable: true,
});
