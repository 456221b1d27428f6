/** Header values as they travel: AMQP field-table values, kept as plain JavaScript values. */
export type Headers = Record<string, unknown>;

/**
 * The properties a message carries besides its body, with AMQP 0-9-1 meaning. `expiration` is in
 * milliseconds; `timestamp` is a Date (AMQP keeps whole seconds).
 */
export interface MessageProperties {
  /** MIME type of the payload, such as `application/json` (set by the serializer). */
  contentType?: string;
  /**
   * Character encoding of the payload, such as `utf-8` (compression is marked by the `compression` header instead,
   * as kombu does).
   */
  contentEncoding?: string;
  /** Application headers (AMQP field table); always present, possibly empty. */
  headers: Headers;
  /** Application-chosen message identifier. */
  messageId?: string;
  /** Identifies the request a reply answers (RPC). */
  correlationId?: string;
  /** Queue (routing key on the default exchange) that the reply should go to. */
  replyTo?: string;
  /** Priority 0-255, honoured by queues declared with `maxPriority` (higher first). */
  priority?: number;
  /** Milliseconds the message may wait in a queue before it expires. */
  expiration?: number;
  /** When the message was sent (whole seconds on AMQP 0-9-1). */
  timestamp?: Date;
  /** Whether the message is stored to survive a broker restart (in a durable queue). */
  persistent?: boolean;
  /** Application-specific message type name. */
  type?: string;
  /** Identifies the application that sent the message. */
  appId?: string;
  /** The user that sent the message; brokers such as RabbitMQ check that it matches the connection's user. */
  userId?: string;
}

/** Where a delivered message came from. */
export interface DeliveryInfo {
  /** The exchange the message was published to (`''` for the default exchange). */
  exchange: string;
  /** The routing key the message was published with. */
  routingKey: string;
  /** True when the message was delivered before and not acknowledged (requeued, or its consumer went away). */
  redelivered: boolean;
  /**
   * How many times the broker delivered this message before without an ack, where it counts them (RabbitMQ quorum
   * queues' `x-delivery-count`, compared with the queue's `deliveryLimit`); absent elsewhere.
   */
  deliveryCount?: number;
  /** The message's offset in a stream queue (RabbitMQ's `x-stream-offset`); absent for other queues. */
  streamOffset?: number;
  /** Absent for a message taken with `fetch`. */
  consumerTag?: string;
  /** The queue the message was taken from. */
  queue: string;
}
