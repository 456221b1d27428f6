/** Header values as they travel: AMQP field-table values, kept as plain JavaScript values. */
export type Headers = Record<string, unknown>;

/**
 * The properties a message carries besides its body, with AMQP 0-9-1 meaning. `expiration` is in
 * milliseconds; `timestamp` is a Date (AMQP keeps whole seconds).
 */
export interface MessageProperties {
  contentType?: string;
  contentEncoding?: string;
  headers: Headers;
  messageId?: string;
  correlationId?: string;
  replyTo?: string;
  priority?: number;
  expiration?: number;
  timestamp?: Date;
  persistent?: boolean;
  type?: string;
  appId?: string;
  userId?: string;
}

/** Where a delivered message came from. */
export interface DeliveryInfo {
  exchange: string;
  routingKey: string;
  redelivered: boolean;
  /**
   * How many times the broker delivered this message before without an ack, where it counts them (RabbitMQ quorum
   * queues' `x-delivery-count`, compared with the queue's `deliveryLimit`); absent elsewhere.
   */
  deliveryCount?: number;
  /** Absent for a message taken with `fetch`. */
  consumerTag?: string;
  queue: string;
}
