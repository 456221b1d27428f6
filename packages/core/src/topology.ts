/** AMQP 0-9-1 exchange types. */
export type ExchangeType = 'direct' | 'topic' | 'fanout' | 'headers';

/** Every exchange type, in the order `Capabilities.exchangeTypes` lists them. */
export const EXCHANGE_TYPES: readonly ExchangeType[] = ['direct', 'topic', 'fanout', 'headers'];

/** Extra arguments of an exchange or binding (AMQP field table), passed to the broker as given. */
export type Arguments = Record<string, unknown>;

/** An exchange to declare. */
export interface ExchangeSpec {
  /** The exchange name; the default exchange `''` always exists and is never declared. */
  name: string;
  /** How it routes (default `direct`): by exact key, by topic pattern, to every bound queue, or by headers. */
  type?: ExchangeType;
  /** Survives a broker restart (default true). */
  durable?: boolean;
  /** Deleted by the broker once its last binding is removed (default false). */
  autoDelete?: boolean;
  /** Takes messages only from other exchanges, never from publishers (default false). */
  internal?: boolean;
  /** Broker-specific arguments, such as `alternate-exchange`. */
  arguments?: Arguments;
  /** Only check that the exchange exists (NotFoundError if not); never create it. */
  passive?: boolean;
}

/**
 * Queue arguments, by their friendly names; raw `x-...` names (as RabbitMQ spells them) are accepted too and
 * passed through; undefined values are left out. See `normalizeQueueArguments`.
 */
export interface QueueArguments {
  /** Milliseconds a message may wait in the queue before it expires (`x-message-ttl`). */
  messageTtl?: number | undefined;
  /** Milliseconds the queue may stay unused before the broker deletes it (`x-expires`). */
  expires?: number | undefined;
  /** Exchange that rejected, expired and overflowed messages are re-published to (`x-dead-letter-exchange`). */
  deadLetterExchange?: string | undefined;
  /** Routing key for dead-lettered messages instead of their own (`x-dead-letter-routing-key`). */
  deadLetterRoutingKey?: string | undefined;
  /** Most ready messages the queue holds; see `overflow` (`x-max-length`). */
  maxLength?: number | undefined;
  /** Most payload bytes of ready messages the queue holds; see `overflow` (`x-max-length-bytes`). */
  maxLengthBytes?: number | undefined;
  /**
   * What a full queue does: drop its oldest message (`drop-head`, the default), refuse the new one
   * (`reject-publish`: the send rejects with `MessageNackedError`), or refuse and dead-letter it
   * (`reject-publish-dlx`).
   */
  overflow?: 'drop-head' | 'reject-publish' | 'reject-publish-dlx' | undefined;
  /** Makes the queue a priority queue with priorities 0 to this (at most 255; `x-max-priority`). */
  maxPriority?: number | undefined;
  /** RabbitMQ queue type (`x-queue-type`): `classic`, `quorum` (replicated) or `stream`. */
  queueType?: 'classic' | 'quorum' | 'stream' | undefined;
  /** RabbitMQ: one consumer at a time gets the queue's messages, the others stand by. */
  singleActiveConsumer?: boolean | undefined;
  /** RabbitMQ quorum queues: redeliveries before the message is dead-lettered. */
  deliveryLimit?: number | undefined;
  /** RabbitMQ quorum queues: how many cluster nodes hold a replica when the queue is created. */
  quorumInitialGroupSize?: number | undefined;
  /** RabbitMQ streams: how long the stream keeps its data (`'7D'`, `'12h'`, `'30m'`...). */
  maxAge?: string | undefined;
  /** RabbitMQ classic queues before 3.12: `lazy` keeps messages on disk (`x-queue-mode`). */
  queueMode?: 'default' | 'lazy' | undefined;
  /** Any other argument, by its raw broker name (`x-...`), passed through. */
  [raw: string]: unknown;
}

/** A queue to declare. */
export interface QueueSpec {
  /** Empty or absent: the broker names the queue (server-named, exclusive by convention). */
  name?: string;
  /** Survives a broker restart (default true for a named queue, false for a server-named one). */
  durable?: boolean;
  /** Used only by this connection and deleted when it closes (default false; true for a server-named queue). */
  exclusive?: boolean;
  /** Deleted by the broker once its last consumer is cancelled (default false). */
  autoDelete?: boolean;
  /** TTL, dead-lettering, length limits, priorities and other queue arguments. */
  arguments?: QueueArguments;
  /** Only check that the queue exists (as `checkQueue`: NotFoundError if not); never create it. */
  passive?: boolean;
}

/** A queue as the broker reports it after a declare or check. */
export interface QueueInfo {
  /** The queue name: the broker-chosen one for a server-named queue. */
  queue: string;
  /** Messages ready for delivery (not counting those delivered and not yet settled). */
  messageCount: number;
  /** Active consumers of the queue. */
  consumerCount: number;
}

/** A binding from an exchange to a queue. */
export interface QueueBinding {
  /** The queue that receives. */
  queue: string;
  /** The exchange that routes to it. */
  exchange: string;
  /**
   * The key (`direct`) or pattern (`topic`: `*` one word, `#` zero or more) to match; default `''`; ignored by
   * `fanout` and `headers`.
   */
  routingKey?: string;
  /** Binding arguments; for a `headers` exchange the headers to match and `x-match` (`all` or `any`). */
  arguments?: Arguments;
}

/** A binding from one exchange to another (where `Capabilities.exchangeToExchange`). */
export interface ExchangeBinding {
  /** The exchange that receives. */
  destination: string;
  /** The exchange that routes to it. */
  source: string;
  /** The key or pattern to match, as for a queue binding; default `''`. */
  routingKey?: string;
  /** Binding arguments, as for a queue binding. */
  arguments?: Arguments;
}

/** Conditions for `deleteQueue`. */
export interface DeleteQueueOptions {
  /** Delete only if the queue has no consumers (otherwise `PreconditionFailedError`). */
  ifUnused?: boolean;
  /** Delete only if the queue has no ready messages (otherwise `PreconditionFailedError`). */
  ifEmpty?: boolean;
}

/** Conditions for `deleteExchange`. */
export interface DeleteExchangeOptions {
  /** Delete only if the exchange has no bindings (otherwise `PreconditionFailedError`). */
  ifUnused?: boolean;
}

/**
 * Where a consumer of a stream queue starts reading: `'first'` (the oldest message the stream keeps), `'last'` (the
 * last chunk written), `'next'` (only what is written from now on), an offset number (as `deliveryInfo.streamOffset`
 * shows it), or a time (the first chunk written at or after it).
 */
export type StreamOffset = 'first' | 'last' | 'next' | number | Date;

type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

/**
 * `T` whose optional properties also take an explicit `undefined`, so that a caller compiled with
 * `exactOptionalPropertyTypes` can pass `{ durable: options.durable }` through. Core drops the undefined ones
 * (see `withoutUndefined`) before a transport sees them.
 */
export type Lenient<T> = Omit<T, OptionalKeys<T>> & { [K in OptionalKeys<T>]?: T[K] | undefined };

/** A copy of `value` without its undefined properties: a {@link Lenient} object as the strict type. */
export function withoutUndefined<T extends object>(value: Lenient<T>): T {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = item;
  return out as T;
}

/**
 * An exchange type as a field or option takes it: one of {@link ExchangeType}, typed wide enough that a subclass's
 * `override exchangeType = 'topic'` (inferred as `string`) compiles; a wrong name is a ConfigurationError at run time.
 */
export type ExchangeTypeName = ExchangeType | (string & {});
