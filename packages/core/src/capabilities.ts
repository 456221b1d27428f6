import type { ExchangeType } from './topology.js';

/**
 * What a transport can do, as data (kombu's `implements`). The conformance suite runs only the tests that a
 * transport's capabilities claim; user code reads it to decide, and asking for something unsupported throws
 * `UnsupportedFeatureError` instead of silently doing something else.
 */
export interface Capabilities {
  /** The exchange types `declareExchange` accepts (`direct`, `topic`, `fanout`, `headers`). */
  readonly exchangeTypes: readonly ExchangeType[];
  /** Exchanges can be bound to exchanges (`bindExchange`, `unbindExchange`). */
  readonly exchangeToExchange: boolean;
  /** Durable queues and persistent messages survive a broker restart. */
  readonly persistent: boolean;
  /** Messages are settled one by one (`ack`, `reject`); `noAck` is the alternative, never the only way. */
  readonly acks: boolean;
  /** `message.requeue()` puts a message back on its queue, with `redelivered` set on its next delivery. */
  readonly requeue: boolean;
  /** Queues take a `deadLetterExchange` (and `deadLetterRoutingKey`): rejected and expired messages go there. */
  readonly deadLetter: boolean;
  /** Queues take `maxPriority` and deliver higher `priority` messages first. */
  readonly priorities: boolean;
  /** Per-queue `messageTtl` and per-message `expiration` drop (or dead-letter) messages that waited too long. */
  readonly ttl: boolean;
  /** Queues take `maxLength` / `maxLengthBytes` with an `overflow` policy. */
  readonly maxLength: boolean;
  /** One queue delivers to one consumer in publish order. */
  readonly guaranteedOrder: boolean;
  /** `send` resolves only once the broker confirmed the message (otherwise once it was written). */
  readonly publisherConfirms: boolean;
  /** `send(body, { mandatory: true })` rejects with `NoRouteError` when no queue takes the message. */
  readonly mandatory: boolean;
  /** Queues may be `exclusive` to the connection that declared them. */
  readonly exclusiveQueues: boolean;
  /** `consumer.fetch()` takes one message without subscribing (basic.get). */
  readonly fetch: boolean;
  /** The connection can be cut and the transport recovers (the conformance suite cuts it). */
  readonly restartable: boolean;
  /**
   * Stream queues (RabbitMQ's `queueType: 'stream'`: an append-only log that consumers read from an offset) can be
   * consumed with `streamOffset`. Absent means no.
   */
  readonly streams?: boolean;
}

/** The name of each boolean capability (every key of {@link Capabilities} but `exchangeTypes`). */
export type CapabilityFlag = Exclude<keyof Capabilities, 'exchangeTypes'>;
