import type { Capabilities } from './capabilities.js';
import type { DeliveryInfo, MessageProperties } from './properties.js';
import type {
  DeleteExchangeOptions,
  DeleteQueueOptions,
  ExchangeBinding,
  ExchangeSpec,
  QueueBinding,
  QueueInfo,
  QueueSpec,
} from './topology.js';

/**
 * The contract a backend implements. It is deliberately small: everything that is the same on every broker
 * (serialization, accept lists, schemas, callbacks, iteration, reconnect and redeclare, error reporting) lives
 * in core's Connection, Publisher, Consumer and Message, and never again in a backend.
 *
 * A backend package exports a {@link TransportFactory} and registers it with `registerTransport` when imported.
 * Core calls `connect` to open a {@link TransportSession}; when the session is lost, core asks the factory for a
 * new one, redeclares the topology and resumes the consumers on it. A session therefore never reconnects by
 * itself: it reports the loss once through {@link SessionHooks.lost} and is done.
 *
 * Rules every implementation keeps (the conformance suite checks them):
 * - Every method that talks to the broker rejects with a `WarrenError` subclass (map native errors; keep the
 *   native one as `cause`; never put a password in a message).
 * - `publish` resolves only when the broker has taken responsibility for the message and rejects otherwise;
 *   under back-pressure it waits instead of buffering without bound.
 * - Settling (`ack`, `reject`) is idempotent and never throws: settling a delivery of a session that is gone is a
 *   no-op (the broker redelivers it), and never disturbs the current session.
 * - `close` drains: it waits for outstanding publishes to be confirmed or rejected, then releases the connection.
 *   Unacknowledged deliveries go back to their queue.
 * - After `close` or after `lost`, every pending operation settles (resolves or rejects), none hangs.
 */
export interface TransportSession {
  readonly capabilities: Capabilities;

  declareExchange(spec: Required<Pick<ExchangeSpec, 'name' | 'type'>> & ExchangeSpec): Promise<void>;
  deleteExchange(name: string, options: DeleteExchangeOptions): Promise<void>;
  declareQueue(spec: QueueSpec): Promise<QueueInfo>;
  /** Resolves with the number of messages deleted with the queue. */
  deleteQueue(name: string, options: DeleteQueueOptions): Promise<number>;
  /** Resolves with the number of messages purged. */
  purgeQueue(name: string): Promise<number>;
  bindQueue(binding: QueueBinding): Promise<void>;
  unbindQueue(binding: QueueBinding): Promise<void>;
  /**
   * Checks that a queue exists without creating it (AMQP's passive declare) and resolves with its counts, as
   * `declareQueue` gives them. Rules: an absent queue rejects with `NotFoundError` and nothing is created; another
   * connection's exclusive queue rejects with `ResourceLockedError`; a failed check disturbs nothing else (on AMQP
   * 0-9-1 it closes its channel: run it on a channel that nothing else uses). Optional: without it core answers
   * `checkQueue` with `UnsupportedFeatureError`, and the conformance suite fails its check cases.
   */
  checkQueue?(name: string): Promise<QueueInfo>;
  /**
   * Checks that an exchange exists without creating it. The default exchange `''` always exists. An absent one
   * rejects with `NotFoundError`; the same rules as {@link TransportSession.checkQueue}.
   */
  checkExchange?(name: string): Promise<void>;
  /**
   * Optional, where the broker has a reply address that needs no queue (RabbitMQ's direct reply-to,
   * `amq.rabbitmq.reply-to`). Opens a channel that consumes that address without acknowledgement and publishes
   * requests whose replies come back to it. Rejects with `UnsupportedFeatureError` when this broker has no such
   * thing (core then uses a reply queue); the presence of the method alone promises nothing.
   */
  openDirectReply?(hooks: DirectReplyHooks): Promise<DirectReplyChannel>;
  /** Only where `capabilities.exchangeToExchange`. */
  bindExchange(binding: ExchangeBinding): Promise<void>;
  unbindExchange(binding: ExchangeBinding): Promise<void>;

  /** Publishes one message; see the rules above. A `mandatory` message that no queue takes rejects with NoRouteError. */
  publish(message: OutboundMessage): Promise<void>;

  /**
   * Starts delivering messages from `queue` to `onDelivery`, at most `prefetch` unsettled at a time (0: no
   * limit). Resolves once the broker has registered the consumer.
   */
  consume(queue: string, options: ConsumeOptions, onDelivery: (delivery: Delivery) => void): Promise<TransportConsumer>;

  /** Takes one message from the queue without subscribing (basic.get), or null when it is empty. */
  get(queue: string, options: { noAck: boolean }): Promise<Delivery | null>;

  /** Closes the session after draining; see the rules above. Idempotent. */
  close(): Promise<void>;

  /**
   * Local TCP ports of the sockets this session holds (empty for in-process transports). Fault tests use them to
   * cut only their own connection (`rabbitmqctl close_connection`, `ss -K`, Redis `CLIENT KILL`).
   */
  localPorts(): number[];
}

export interface ConsumeOptions {
  prefetch: number;
  noAck: boolean;
  exclusive: boolean;
  /** The consumer tag to use; the transport makes one when absent. */
  consumerTag?: string;
}

/** What a direct reply channel tells its owner. */
export interface DirectReplyHooks {
  /** A reply arrived (already acknowledged: replies are consumed without acknowledgement). */
  reply(delivery: Delivery): void;
  /**
   * The channel is gone (the session was lost, the broker closed the channel, or it was closed): replies to
   * requests sent on it will never arrive. Called at most once; not called after `close()`.
   */
  closed(error: Error): void;
}

/** A channel whose requests get their replies without a reply queue; see `TransportSession.openDirectReply`. */
export interface DirectReplyChannel {
  /** The address to put in a request's `replyTo`. */
  readonly replyTo: string;
  /**
   * Publishes a request on this channel (the reply is routed back only to the channel that sent the request).
   * Resolves once written; the reply is the request's confirmation. Rejects with a `WarrenError` once the channel
   * is gone.
   */
  publish(message: OutboundMessage): Promise<void>;
  /** Closes the channel; replies still on their way are dropped. Idempotent. */
  close(): Promise<void>;
}

/** A broker-side subscription. */
export interface TransportConsumer {
  readonly consumerTag: string;
  /** Stops new deliveries; deliveries already made can still be settled. Idempotent. */
  cancel(): Promise<void>;
  /** Cancels and returns every unsettled delivery of this consumer to its queue (as `redelivered`). Idempotent. */
  close(): Promise<void>;
}

/** A message as published: serialized, compressed, with its properties. */
export interface OutboundMessage {
  exchange: string;
  routingKey: string;
  content: Buffer;
  properties: MessageProperties;
  mandatory: boolean;
}

/**
 * A message as delivered. `settle` is shared by every delivery of one consumer (not a closure per message: this
 * is the hot path), and is passed the delivery itself.
 */
export interface Delivery {
  readonly content: Buffer;
  readonly properties: MessageProperties;
  readonly info: DeliveryInfo;
  readonly settler: DeliverySettler;
}

export interface DeliverySettler {
  /** Idempotent, never throws; see {@link TransportSession}. */
  ack(delivery: Delivery): void | Promise<void>;
  /** `requeue` false drops the message, or dead-letters it where its queue has a dead-letter exchange. */
  reject(delivery: Delivery, requeue: boolean): void | Promise<void>;
}

/** What a session tells core about events that are not replies to a call. */
export interface SessionHooks {
  /** The session is gone (connection lost, fatal error). Called at most once; not called after `close()`. */
  lost(error: Error): void;
  /** The broker cancelled a consumer by itself (its queue was deleted, for instance). */
  consumerCancelled(consumerTag: string, error: Error): void;
  /** A problem that broke nothing but should be seen (a warning from the broker, a failed background step). */
  warning(error: Error): void;
}

/** What core hands a factory to open a session. */
export interface ConnectRequest<TOptions = unknown> {
  /** The broker to connect to. Never log `href`: it can hold a password (use `redactUrl`). */
  url: URL;
  /** The transport's own options: its zod schema applied to the URL's query parameters and the options object. */
  options: TOptions;
  /** Seconds; 0 turns heartbeats off. */
  heartbeat: number;
  connectTimeoutMs: number;
  /** How long a publish may wait for the broker (confirm, back-pressure) before rejecting with TimeoutError. */
  publishTimeoutMs: number;
  hooks: SessionHooks;
}

/**
 * A backend: the URL schemes it serves, what it can do, its options schema, and how to open a session.
 * `optionsSchema` is a zod schema (or anything with the same `safeParse`) over the transport's own options;
 * URL query parameters are strings, so it should coerce.
 */
export interface TransportFactory<TOptions = unknown> {
  readonly name: string;
  readonly schemes: readonly string[];
  readonly capabilities: Capabilities;
  readonly optionsSchema: OptionsSchema<TOptions>;
  connect(request: ConnectRequest<TOptions>): Promise<TransportSession>;
}

/** The slice of a zod schema that core uses. */
export interface OptionsSchema<T> {
  safeParse(input: unknown): { success: true; data: T } | { success: false; error: { issues: readonly SchemaIssue[] } };
}

export interface SchemaIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}
