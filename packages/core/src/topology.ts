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
}

/**
 * Queue arguments, by their friendly names; raw `x-...` names (as RabbitMQ spells them) are accepted too and
 * passed through. See `normalizeQueueArguments`.
 */
export interface QueueArguments {
  messageTtl?: number;
  expires?: number;
  deadLetterExchange?: string;
  deadLetterRoutingKey?: string;
  maxLength?: number;
  maxLengthBytes?: number;
  overflow?: 'drop-head' | 'reject-publish' | 'reject-publish-dlx';
  maxPriority?: number;
  queueType?: 'classic' | 'quorum' | 'stream';
  [raw: string]: unknown;
}

export interface QueueSpec {
  /** Empty or absent: the broker names the queue (server-named, exclusive by convention). */
  name?: string;
  durable?: boolean;
  exclusive?: boolean;
  autoDelete?: boolean;
  arguments?: QueueArguments;
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
