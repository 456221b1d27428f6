import { encodeBody } from './codec.js';
import type { Connection } from './connection.js';
import { ConfigurationError, MessageStateError, UnsupportedFeatureError } from './errors.js';
import type { Headers, MessageProperties } from './properties.js';
import { type BodySchema, validateBody } from './schema.js';
import { COMPRESSION_HEADER } from './serialization/compressions.js';
import type { ExchangeType } from './topology.js';
import type { OutboundMessage } from './transport.js';

/** Per-message options of `send`; each overrides the publisher's default. */
export interface SendOptions {
  routingKey?: string;
  headers?: Headers;
  priority?: number;
  /** Milliseconds until the message expires in its queue. */
  expiration?: number;
  persistent?: boolean;
  messageId?: string;
  correlationId?: string;
  replyTo?: string;
  type?: string;
  appId?: string;
  userId?: string;
  timestamp?: Date;
  serializer?: string;
  compression?: string;
  /** Reject with NoRouteError when no queue takes the message. */
  mandatory?: boolean;
}

export interface PublisherOptions<TBody = unknown> {
  /** Default '' (the default exchange, which routes by queue name). */
  exchange?: string;
  /** Default 'direct'. */
  exchangeType?: ExchangeType;
  routingKey?: string;
  /** Declare the exchange before the first send (default true; the default exchange is never declared). */
  declare?: boolean;
  /** Declare the exchange durable (default true, as carrot and kombu do). */
  durable?: boolean;
  autoDelete?: boolean;
  /** Default 'json'. */
  serializer?: string;
  compression?: string;
  /** Messages survive a broker restart (default true). */
  persistent?: boolean;
  mandatory?: boolean;
  headers?: Headers;
  appId?: string;
  /** Validates each body before it is sent (ValidationError). */
  schema?: BodySchema<TBody>;
}

interface PublisherSettings {
  exchange: string;
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
  exchange?: string;
  exchangeType?: ExchangeType;
  routingKey?: string;
  serializer?: string;
  compression?: string;
  persistent?: boolean;
  mandatory?: boolean;
  durable?: boolean;
  schema?: BodySchema<TBody>;

  readonly connection: Connection;
  readonly #options: PublisherOptions<TBody>;
  #settings: PublisherSettings | undefined;
  #declared: Promise<void> | true | undefined;
  #closed = false;

  constructor(connection: Connection, options: PublisherOptions<TBody> = {}) {
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
      if (settings.schema) validateBody(settings.schema, body, 'publisher');
      const message = this.#build(body, settings, options);
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

  get closed(): boolean {
    return this.#closed;
  }

  async #declareThenPublish(message: OutboundMessage): Promise<void> {
    await this.declare();
    await this.connection.publish(message);
  }

  #declareExchange(settings: PublisherSettings): Promise<void> {
    const declare = this.#options.declare ?? true;
    if (!declare || settings.exchange === '') return Promise.resolve();
    return this.connection.declareExchange({
      name: settings.exchange,
      type: this.#options.exchangeType ?? this.exchangeType ?? 'direct',
      durable: this.#options.durable ?? this.durable ?? true,
      autoDelete: this.#options.autoDelete ?? false,
    });
  }

  /** Options win over fields, fields over defaults; resolved once, at the first send. */
  #resolve(): PublisherSettings {
    const o = this.#options;
    const mandatory = o.mandatory ?? this.mandatory ?? false;
    if (mandatory) this.connection.require('mandatory', 'A mandatory publisher');
    this.#settings = {
      exchange: o.exchange ?? this.exchange ?? '',
      routingKey: o.routingKey ?? this.routingKey ?? '',
      serializer: o.serializer ?? this.serializer ?? 'json',
      compression: o.compression ?? this.compression,
      persistent: o.persistent ?? this.persistent ?? true,
      mandatory,
      headers: o.headers,
      appId: o.appId,
      schema: (o.schema ?? this.schema) as BodySchema<unknown> | undefined,
    };
    return this.#settings;
  }

  #build(body: TBody, settings: PublisherSettings, options: SendOptions | undefined): OutboundMessage {
    const encoded = encodeBody(body, {
      serializer: options?.serializer ?? settings.serializer,
      compression: options?.compression ?? settings.compression,
    });
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
    return {
      exchange: settings.exchange,
      routingKey: options?.routingKey ?? settings.routingKey,
      content: encoded.content,
      properties,
      mandatory,
    };
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
