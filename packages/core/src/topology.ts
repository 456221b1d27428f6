/** AMQP 0-9-1 exchange types. */
export type ExchangeType = 'direct' | 'topic' | 'fanout' | 'headers';

export const EXCHANGE_TYPES: readonly ExchangeType[] = ['direct', 'topic', 'fanout', 'headers'];

export type Arguments = Record<string, unknown>;

export interface ExchangeSpec {
  name: string;
  type?: ExchangeType;
  durable?: boolean;
  autoDelete?: boolean;
  internal?: boolean;
  arguments?: Arguments;
  /** Only check that the exchange exists (NotFoundError if not); never create it. */
  passive?: boolean;
}

/**
 * Queue arguments, by their friendly names; raw `x-...` names (as RabbitMQ spells them) are accepted too and
 * passed through; undefined values are left out. See `normalizeQueueArguments`.
 */
export interface QueueArguments {
  messageTtl?: number | undefined;
  expires?: number | undefined;
  deadLetterExchange?: string | undefined;
  deadLetterRoutingKey?: string | undefined;
  maxLength?: number | undefined;
  maxLengthBytes?: number | undefined;
  overflow?: 'drop-head' | 'reject-publish' | 'reject-publish-dlx' | undefined;
  maxPriority?: number | undefined;
  queueType?: 'classic' | 'quorum' | 'stream' | undefined;
  /** RabbitMQ: one consumer at a time gets the queue's messages, the others stand by. */
  singleActiveConsumer?: boolean | undefined;
  /** RabbitMQ quorum queues: redeliveries before the message is dead-lettered. */
  deliveryLimit?: number | undefined;
  /** RabbitMQ quorum queues: how many cluster nodes hold a replica when the queue is created. */
  quorumInitialGroupSize?: number | undefined;
  /** RabbitMQ streams: how long the stream keeps its data (`'7D'`, `'12h'`, `'30m'`...). */
  maxAge?: string | undefined;
  queueMode?: 'default' | 'lazy' | undefined;
  [raw: string]: unknown;
}

export interface QueueSpec {
  /** Empty or absent: the broker names the queue (server-named, exclusive by convention). */
  name?: string;
  durable?: boolean;
  exclusive?: boolean;
  autoDelete?: boolean;
  arguments?: QueueArguments;
  /** Only check that the queue exists (as `checkQueue`: NotFoundError if not); never create it. */
  passive?: boolean;
}

export interface QueueInfo {
  queue: string;
  messageCount: number;
  consumerCount: number;
}

export interface QueueBinding {
  queue: string;
  exchange: string;
  routingKey?: string;
  arguments?: Arguments;
}

export interface ExchangeBinding {
  destination: string;
  source: string;
  routingKey?: string;
  arguments?: Arguments;
}

export interface DeleteQueueOptions {
  ifUnused?: boolean;
  ifEmpty?: boolean;
}

export interface DeleteExchangeOptions {
  ifUnused?: boolean;
}
