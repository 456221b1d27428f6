import { definedFields } from './client-options.js';
import { type EncodedMessage, encodeBody } from './codec.js';
import type { Connection } from './connection.js';
import { declareObject } from './declarative/declare.js';
import { Exchange } from './declarative/exchange.js';
import type { Queue } from './declarative/queue.js';
import { ConfigurationError, MessageStateError, UnsupportedFeatureError } from './errors.js';
import { parseOptions } from './options.js';
import type { Headers, MessageProperties } from './properties.js';
import { checkSendOptions, PUBLISHER_FIELDS, publisherOptionsSchema } from './publisher-options.js';
import { type BodySchema, validateBody } from './schema.js';
import { COMPRESSION_HEADER } from './serialization/compressions.js';
import type { ExchangeType, ExchangeTypeName } from './topology.js';
import type { OutboundMessage } from './transport.js';

/** Per-message options of `send`; each overrides the publisher's default. */
export interface SendOptions {
  /** Another exchange than the publisher's, for this message (an {@link Exchange} is declared first, once). */
  exchange?: string | Exchange | undefined;
  /** Routing key of this message instead of the publisher's. */
  routingKey?: string | undefined;
  /** Application headers, merged over the publisher's `headers`. */
  headers?: Headers | undefined;
  /** Priority 0-255; honoured by queues declared with `maxPriority`. */
  priority?: number | undefined;
  /** Milliseconds until the message expires in its queue. */
  expiration?: number | undefined;
  /** Store the message to survive a broker restart (default: the publisher's, true). */
  persistent?: boolean | undefined;
  /** Application-chosen message identifier. */
  messageId?: string | undefined;
  /** Identifies the request a reply answers. */
  correlationId?: string | undefined;
  /** The queue a reply should go to. */
  replyTo?: string | undefined;
  /** Application-specific message type name. */
  type?: string | undefined;
  /** Identifies the sending application (default: the publisher's `appId`). */
  appId?: string | undefined;
  /** The sending user; RabbitMQ checks that it matches the connection's user. */
  userId?: string | undefined;
  /** When the message was sent (default: now). */
  timestamp?: Date | undefined;
  /** Serializer for this message instead of the publisher's (`json`, `text`, `binary`, `msgpack`, ...). */
  serializer?: string | undefined;
  /** Compression for this message (`gzip`, `deflate`, `brotli`, ...); default: the publisher's, none. */
  compression?: string | undefined;
  /** Reject with NoRouteError when no queue takes the message. */
  mandatory?: boolean | undefined;
  /**
   * With a `Buffer` body: the body is sent as those bytes, unserialized, with this content type (bridges, kombu
   * interop, replaying captured messages). Not for other bodies: pick a `serializer` for those.
   */
  contentType?: string | undefined;
  /** With `contentType`: the content encoding of the bytes (`utf-8`, `binary`, ...). */
  contentEncoding?: string | undefined;
}

/** Options of `new Publisher(connection, options)`; each also exists as a field a subclass may set. */
export interface PublisherOptions<TBody = unknown> {
  /** Default '' (the default exchange, which routes by queue name). An {@link Exchange} brings its own type and flags. */
  exchange?: string | Exchange | undefined;
  /** Default 'direct'. */
  exchangeType?: ExchangeTypeName | undefined;
  /** Default routing key of every message (default `''`). */
  routingKey?: string | undefined;
  /**
   * Declare the exchange before the first send (default true; the default exchange is never declared). A list of
   * {@link Queue}s declares them too (with their exchanges and bindings), so that a message sent before any
   * consumer exists is kept, not dropped.
   */
  declare?: boolean | Queue[] | undefined;
  /** Declare the exchange durable (default true, as carrot and kombu do). */
  durable?: boolean | undefined;
  /** Declare the exchange auto-delete: removed once its last binding goes (default false). */
  autoDelete?: boolean | undefined;
  /** Default 'json'. */
  serializer?: string | undefined;
  /** Compress every body with this registered compression (default: none). */
  compression?: string | undefined;
  /** Messages survive a broker restart (default true). */
  persistent?: boolean | undefined;
  /** Send every message mandatory: `NoRouteError` when no queue takes it (default false). */
  mandatory?: boolean | undefined;
  /** Headers added to every message. */
  headers?: Headers | undefined;
  /** The `appId` property of every message. */
  appId?: string | undefined;
  /** Validates each body before it is sent (ValidationError). */
  schema?: BodySchema<TBody> | undefined;
}

interface PublisherSettings {
  exchange: string;
  /** The publisher's exchange when it was given as an {@link Exchange}. */
  exchangeObject: Exchange | undefined;
  /** Queues to declare before the first send. */
  queues: readonly Queue[];
  exchangeType: string;
  durable: boolean;
  autoDelete: boolean;
  routingKey: string;
  serializer: string;
  compression: string | undefined;
  persistent: boolean;
  mandatory: boolean;
  headers: Headers | undefined;
  appId: string | undefined;
  schema: BodySchema<unknown> | undefined;
}

/**
 * Sends messages to one exchange. Fields are defaults that constructor options override, so a subclass can set
 * them carrot-style (`class FeedPublisher extends Publisher { exchange = 'feed'; routingKey = 'importer'; }`).
 * `send` resolves once the broker has taken the message and rejects otherwise.
 */
export class Publisher<TBody = unknown> {
  /** The exchange to send to, by name or as an {@link Exchange} (default `''`, the default exchange, which routes by queue name). */
  exchange?: string | Exchange | undefined;
  /** The type the exchange is declared with (default `direct`). */
  exchangeType?: ExchangeTypeName | undefined;
  /** Default routing key of every message (default `''`). */
  routingKey?: string | undefined;
  /** Serializer of every body (default `json`). */
  serializer?: string | undefined;
  /** Compression of every body (default: none). */
  compression?: string | undefined;
  /** Messages survive a broker restart (default true). */
  persistent?: boolean | undefined;
  /** Every message mandatory: `NoRouteError` when no queue takes it (default false). */
  mandatory?: boolean | undefined;
  /** Declare the exchange durable (default true). */
  durable?: boolean | undefined;
  /** Validates each body before it is sent (`ValidationError`); a zod schema fits. */
  schema?: BodySchema<TBody> | undefined;
  /** Declare the exchange auto-deleted (default false). */
  autoDelete?: boolean | undefined;
  /** Headers sent with every message (a send's own headers are merged over them). */
  headers?: Headers | undefined;
  /** The appId property of every message. */
  appId?: string | undefined;

  /** The connection this publisher sends through. */
  readonly connection: Connection;
  readonly #options: PublisherOptions<TBody>;
  #settings: PublisherSettings | undefined;
  #declared: Promise<void> | true | undefined;
  #closed = false;
  /** Exchanges given to `send` as {@link Exchange}s and declared already, by name. */
  readonly #declaredOverrides = new Map<string, Promise<void>>();

  /**
   * A publisher on `connection`; `options` override the fields a subclass sets. Nothing is declared until the first
   * send (or `declare()`).
   */
  constructor(connection: Connection, options: PublisherOptions<TBody> = {}) {
    parseOptions(publisherOptionsSchema, options, 'Publisher options');
    this.connection = connection;
    this.#options = options;
  }

  /** Serializes, validates and publishes one message. */
  send(body: TBody, options?: SendOptions): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new MessageStateError('This publisher is closed; create a new Publisher to send.'));
    }
    try {
      const settings = this.#settings ?? this.#resolve();
      if (options !== undefined) checkSendOptions(options);
      if (settings.schema) validateBody(settings.schema, body, 'publisher');
      const message = this.#build(body, settings, options);
      if (options?.exchange instanceof Exchange) return this.#declareOverrideThenPublish(options.exchange, message);
      if (this.#declared === true) return this.connection.publish(message);
      return this.#declareThenPublish(message);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** kombu's name for `send`. */
  publish(body: TBody, options?: SendOptions): Promise<void> {
    return this.send(body, options);
  }

  /** Declares the exchange now instead of before the first send. */
  declare(): Promise<void> {
    const settings = this.#settings ?? this.#resolve();
    if (this.#declared === true) return Promise.resolve();
    this.#declared ??= this.#declareExchange(settings).then(
      () => {
        this.#declared = true;
      },
      (error: unknown) => {
        this.#declared = undefined;
        throw error;
      },
    );
    return this.#declared;
  }

  /** Stops this publisher; later sends reject with MessageStateError. The connection stays open. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  async #declareThenPublish(message: OutboundMessage): Promise<void> {
    await this.declare();
    await this.connection.publish(message);
  }

  async #declareOverrideThenPublish(exchange: Exchange, message: OutboundMessage): Promise<void> {
    await this.declare();
    let declared = this.#declaredOverrides.get(exchange.name);
    if (declared === undefined) {
      declared = declareObject(this.connection, exchange).then(() => undefined);
      this.#declaredOverrides.set(exchange.name, declared);
      declared.catch(() => this.#declaredOverrides.delete(exchange.name));
    }
    await declared;
    await this.connection.publish(message);
  }

  async #declareExchange(settings: PublisherSettings): Promise<void> {
    if (this.#options.declare === false) return;
    if (settings.exchangeObject !== undefined) await declareObject(this.connection, settings.exchangeObject);
    else if (settings.exchange !== '') await this.#declareNamedExchange(settings);
    for (const queue of settings.queues) await declareObject(this.connection, queue);
  }

  #declareNamedExchange(settings: PublisherSettings): Promise<void> {
    return this.connection.declareExchange({
      name: settings.exchange,
      type: settings.exchangeType as ExchangeType,
      durable: settings.durable,
      autoDelete: settings.autoDelete,
    });
  }

  /** Options win over fields, fields over defaults; resolved once, at the first send. */
  #resolve(): PublisherSettings {
    // Fields are set after the constructor ran (class fields of a subclass): checked here, at the first use.
    parseOptions(publisherOptionsSchema, definedFields(this, PUBLISHER_FIELDS), `${this.constructor.name} fields`);
    const o = this.#options;
    const mandatory = o.mandatory ?? this.mandatory ?? false;
    if (mandatory) this.connection.require('mandatory', 'A mandatory publisher');
    const exchange = o.exchange ?? this.exchange ?? '';
    const exchangeName = typeof exchange === 'string' ? exchange : exchange.name;
    const queues = Array.isArray(o.declare) ? o.declare : [];
    for (const queue of queues) {
      // Such a queue would never get what this publisher sends: refuse it before anything is declared.
      if (exchangeName !== '' && queue.bindings.length === 0) {
        throw new ConfigurationError(
          `${queue.toString()} in the publisher's declare list has no binding, so nothing sent to exchange "${exchangeName}" would reach it. Give the Queue an exchange (or bindings), or publish to the default exchange ''.`,
        );
      }
    }
    this.#settings = {
      exchange: exchangeName,
      exchangeObject: typeof exchange === 'string' ? undefined : exchange,
      queues,
      exchangeType: o.exchangeType ?? this.exchangeType ?? 'direct',
      durable: o.durable ?? this.durable ?? true,
      autoDelete: o.autoDelete ?? this.autoDelete ?? false,
      routingKey: o.routingKey ?? this.routingKey ?? '',
      serializer: o.serializer ?? this.serializer ?? 'json',
      compression: o.compression ?? this.compression,
      persistent: o.persistent ?? this.persistent ?? true,
      mandatory,
      headers: o.headers ?? this.headers,
      appId: o.appId ?? this.appId,
      schema: (o.schema ?? this.schema) as BodySchema<unknown> | undefined,
    };
    return this.#settings;
  }

  #build(body: TBody, settings: PublisherSettings, options: SendOptions | undefined): OutboundMessage {
    const encoded =
      options?.contentType === undefined
        ? this.#encode(body, settings, options)
        : rawBody(body, options.contentType, options.contentEncoding, options.compression);
    let headers: Headers = settings.headers || options?.headers ? { ...settings.headers, ...options?.headers } : {};
    if (encoded.compression !== undefined) headers = { ...headers, [COMPRESSION_HEADER]: encoded.compression };
    const properties: MessageProperties = {
      contentType: encoded.contentType,
      contentEncoding: encoded.contentEncoding,
      headers,
      persistent: options?.persistent ?? settings.persistent,
    };
    if (settings.appId !== undefined) properties.appId = settings.appId;
    if (options !== undefined) this.#copyProperties(options, properties);
    const mandatory = options?.mandatory ?? settings.mandatory;
    if (mandatory && !settings.mandatory) this.connection.require('mandatory', 'A mandatory message');
    const exchange = options?.exchange;
    return {
      exchange: exchange === undefined ? settings.exchange : typeof exchange === 'string' ? exchange : exchange.name,
      routingKey: options?.routingKey ?? settings.routingKey,
      content: encoded.content,
      properties,
      mandatory,
    };
  }

  #encode(body: TBody, settings: PublisherSettings, options: SendOptions | undefined): EncodedMessage {
    const serializer = options?.serializer ?? settings.serializer;
    if (serializer === 'json' && Buffer.isBuffer(body)) {
      throw new ConfigurationError(
        'A Buffer body needs to say what its bytes are: send it with contentType (and contentEncoding) to send the bytes as they are, or with serializer: "binary".',
      );
    }
    return encodeBody(body, { serializer, compression: options?.compression ?? settings.compression });
  }

  #copyProperties(options: SendOptions, properties: MessageProperties): void {
    if (options.priority !== undefined) {
      if (!this.connection.capabilities.priorities) {
        throw new UnsupportedFeatureError(
          `Message priorities are not supported by the ${this.connection.transport} transport.`,
        );
      }
      if (!Number.isInteger(options.priority) || options.priority < 0 || options.priority > 255) {
        throw new ConfigurationError(`priority must be an integer from 0 to 255, got ${options.priority}.`);
      }
      properties.priority = options.priority;
    }
    if (options.expiration !== undefined) {
      if (!Number.isFinite(options.expiration) || options.expiration < 0) {
        throw new ConfigurationError(
          `expiration must be a number of milliseconds, 0 or more, got ${options.expiration}.`,
        );
      }
      properties.expiration = options.expiration;
    }
    if (options.messageId !== undefined) properties.messageId = options.messageId;
    if (options.correlationId !== undefined) properties.correlationId = options.correlationId;
    if (options.replyTo !== undefined) properties.replyTo = options.replyTo;
    if (options.type !== undefined) properties.type = options.type;
    if (options.appId !== undefined) properties.appId = options.appId;
    if (options.userId !== undefined) properties.userId = options.userId;
    if (options.timestamp !== undefined) properties.timestamp = options.timestamp;
  }
}

/** A Buffer body sent as its bytes, with the content type and encoding the caller gave. */
function rawBody(
  body: unknown,
  contentType: string,
  contentEncoding: string | undefined,
  compression: string | undefined,
): EncodedMessage {
  if (!Buffer.isBuffer(body)) {
    throw new ConfigurationError(
      'contentType is for a Buffer body sent as its bytes; to encode another value, leave contentType out and pick a serializer.',
    );
  }
  if (compression !== undefined) {
    throw new ConfigurationError(
      'A Buffer body with contentType is sent as its bytes: compress them yourself (and set the compression header), or leave compression out.',
    );
  }
  return { content: body, contentType, contentEncoding: contentEncoding ?? 'binary', compression: undefined };
}
