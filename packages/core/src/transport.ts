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
  StreamOffset,
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
 *   under back-pressure it waits instead of buffering without bound. Where the transport can tell, a publish
 *   that rejects left nothing on the broker (so that a caller's retry makes no duplicate).
 * - Settling (`ack`, `reject`) is idempotent and never throws: settling a delivery of a session that is gone is a
 *   no-op (the broker redelivers it), and never disturbs the current session.
 * - `close` drains: it waits for outstanding publishes to be confirmed or rejected, then releases the connection.
 *   Unacknowledged deliveries go back to their queue.
 * - After `close` or after `lost`, every pending operation settles (resolves or rejects), none hangs.
 */
export interface TransportSession {
  /**
   * What this session can do; the same object as its factory's `capabilities`, and claims only what the transport
   * passes in the conformance suite.
   */
  readonly capabilities: Capabilities;
  /**
   * Optional: the broker this session reached (`RabbitMQ 3.10.8`), named in core's UnsupportedFeatureError
   * messages, for transports whose capabilities depend on the broker.
   */
  readonly brokerName?: string;

  /**
   * Declares an exchange; idempotent when it exists with the same type, durability and arguments,
   * `PreconditionFailedError` when it exists with others. A type outside `capabilities.exchangeTypes` is
   * `UnsupportedFeatureError`. With `passive` it only checks (`NotFoundError` if absent).
   */
  declareExchange(spec: Required<Pick<ExchangeSpec, 'name' | 'type'>> & ExchangeSpec): Promise<void>;
  /**
   * Deletes an exchange and its bindings; deleting one that does not exist resolves. `ifUnused` and bindings left:
   * `PreconditionFailedError`.
   */
  deleteExchange(name: string, options: DeleteExchangeOptions): Promise<void>;
  /**
   * Declares a queue and resolves with its name and counts. An empty `name` asks the broker to name it (a unique
   * name such as `amq.gen-...`, returned in `queue`). Idempotent for the same properties; other durability,
   * exclusivity or arguments is `PreconditionFailedError`; an exclusive queue of another connection is
   * `ResourceLockedError`. With `passive` it only checks (`NotFoundError` if absent, never creates).
   */
  declareQueue(spec: QueueSpec): Promise<QueueInfo>;
  /** Resolves with the number of messages deleted with the queue. */
  deleteQueue(name: string, options: DeleteQueueOptions): Promise<number>;
  /** Resolves with the number of messages purged. */
  purgeQueue(name: string): Promise<number>;
  /** Binds a queue to an exchange (idempotent); `NotFoundError` when either does not exist. */
  bindQueue(binding: QueueBinding): Promise<void>;
  /** Removes a binding; removing one that does not exist resolves. */
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
  /** Removes an exchange-to-exchange binding; only where `capabilities.exchangeToExchange`. */
  unbindExchange(binding: ExchangeBinding): Promise<void>;

  /** Publishes one message; see the rules above. A `mandatory` message that no queue takes rejects with NoRouteError. */
  publish(message: OutboundMessage): Promise<void>;

  /**
   * Starts delivering messages from `queue` to `onDelivery`, at most `prefetch` unsettled at a time (0: no
   * limit). Resolves once the broker has registered the consumer. Deliveries may reach `onDelivery` from then on,
   * possibly before the continuations of the returned promise run: have everything `onDelivery` needs ready before
   * calling. A missing queue is `NotFoundError`; an exclusive consumer on a queue that has consumers is
   * `ResourceLockedError`.
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

/** How a transport consumer is set up. */
export interface ConsumeOptions {
  /** At most this many unsettled deliveries at a time; 0 means no limit. */
  prefetch: number;
  /** The broker counts each message as settled when it sends it (deliveries must not be settled). */
  noAck: boolean;
  /**
   * Be the queue's only consumer; `ResourceLockedError` if it has another, `UnsupportedFeatureError` where the
   * broker has no exclusive consumers.
   */
  exclusive: boolean;
  /** The consumer tag to use; the transport makes one when absent. */
  consumerTag?: string;
  /**
   * Where to start reading a stream queue; only where `capabilities.streams`. A transport passes it to the broker
   * as is; core moves it past the last delivered offset when it resumes the subscription after a reconnect.
   */
  streamOffset?: StreamOffset;
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
  /** The broker's (or transport's) name for this subscription, unique on its session. */
  readonly consumerTag: string;
  /** Stops new deliveries; deliveries already made can still be settled. Idempotent. */
  cancel(): Promise<void>;
  /** Cancels and returns every unsettled delivery of this consumer to its queue (as `redelivered`). Idempotent. */
  close(): Promise<void>;
}

/** A message as published: serialized, compressed, with its properties. */
export interface OutboundMessage {
  /**
   * The exchange to publish to; `''` is the default exchange, which routes to the queue named by the routing key.
   */
  exchange: string;
  /** The routing key the exchange routes by. */
  routingKey: string;
  /** The payload, already serialized and compressed by core. */
  content: Buffer;
  /** The message properties, content type and headers included. */
  properties: MessageProperties;
  /** Reject with `NoRouteError` when no queue takes the message (where `capabilities.mandatory`). */
  mandatory: boolean;
}

/**
 * A message as delivered. `settle` is shared by every delivery of one consumer (not a closure per message: this
 * is the hot path), and is passed the delivery itself.
 */
export interface Delivery {
  /** The payload as received (still compressed, if it was sent compressed). */
  readonly content: Buffer;
  /** The message properties as received. */
  readonly properties: MessageProperties;
  /** Where the message came from. */
  readonly info: DeliveryInfo;
  /** Settles this delivery; shared by every delivery of one consumer. */
  readonly settler: DeliverySettler;
}

/**
 * Settles deliveries of one consumer (or of `get`): one object for many deliveries, each call passing the delivery.
 */
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
  /** Milliseconds the first connection (handshake included) may take before rejecting with `TimeoutError`. */
  connectTimeoutMs: number;
  /** How long a publish may wait for the broker (confirm, back-pressure) before rejecting with TimeoutError. */
  publishTimeoutMs: number;
  /** Where the session reports events that are not replies to a call (loss, broker-side cancel, warnings). */
  hooks: SessionHooks;
}

/**
 * A backend: the URL schemes it serves, what it can do, its options schema, and how to open a session.
 * `optionsSchema` is a zod schema (or anything with the same `safeParse`) over the transport's own options;
 * URL query parameters are strings, so it should coerce.
 */
export interface TransportFactory<TOptions = unknown> {
  /** The transport's name, as `connect({ transport })` names it (`'amqp'`, `'memory'`, ...). */
  readonly name: string;
  /** The URL schemes it serves, without the colon (`['amqp', 'amqps']`). */
  readonly schemes: readonly string[];
  /** What the transport can do, before a session is open. */
  readonly capabilities: Capabilities;
  /** Validates the transport's own options (the options object and the URL query parameters). */
  readonly optionsSchema: OptionsSchema<TOptions>;
  /**
   * Opens a session, or rejects with a typed error (`ConnectionError`, `AccessRefusedError`, `TimeoutError`,
   * `ConfigurationError`). Called again by core after a session is lost.
   */
  connect(request: ConnectRequest<TOptions>): Promise<TransportSession>;
}

/** The slice of a zod schema that core uses. */
export interface OptionsSchema<T> {
  /** Parses `input`: `{ success: true, data }`, or `{ success: false, error: { issues } }`. */
  safeParse(input: unknown):
    | {
        /** The options are valid. */
        success: true;
        /** The options, with defaults applied and strings coerced. */
        data: T;
      }
    | {
        /** The options are not valid. */
        success: false;
        /** What is wrong. */
        error: {
          /** Each problem found. */
          issues: readonly SchemaIssue[];
        };
      };
}

/** One problem an options schema found. */
export interface SchemaIssue {
  /** The option it concerns (nested keys in order). */
  readonly path: readonly PropertyKey[];
  /** What is wrong with it. */
  readonly message: string;
}
