import { ConfigurationError, type Connection, MessageStateError, Publisher } from '@warren/core';
import { PulseConnector } from './connector.js';
import { envelope } from './envelope.js';
import type { PulseMessage } from './messages/base.js';
import { exchangeName } from './naming.js';
import { type PulseBrokerOptions, parseStrict, publisherOptionsSchema } from './options.js';
import type { ExchangePreset } from './presets.js';

/** Constructor options of a Pulse publisher. */
export interface PulsePublisherOptions extends PulseBrokerOptions {
  /**
   * The exchange: a full name (`exchange/<owner>/...`), or a short one that becomes `exchange/<user>/<name>` (Pulse
   * lets a user create and write only its own). A preset has its own.
   */
  exchange?: string;
}

/**
 * mozillapulse's GenericPublisher on warren: publishes validated messages to one topic exchange (durable, declared
 * before the first message), persistent JSON, each `publish` resolving once the broker confirmed it. A preset
 * subclass sets `preset`; its messages go out in mozillapulse's envelope (`{ payload, _meta }`) or bare (Taskcluster).
 */
export class PulsePublisher {
  /** The exchange this class publishes to, when it is a preset. */
  static readonly preset: ExchangePreset | undefined = undefined;

  /** The exchange messages go to. */
  readonly exchange: string;
  readonly #connector: PulseConnector;
  readonly #envelope: boolean;
  #publisher: Promise<Publisher> | undefined;
  #closed = false;

  constructor(options: PulsePublisherOptions = {}) {
    const { exchange, ...broker } = parseStrict(
      publisherOptionsSchema,
      options,
      `${new.target.name} options`,
    ) as PulsePublisherOptions;
    this.#connector = new PulseConnector(broker, new.target.name);
    const preset = new.target.preset;
    const name = exchange ?? preset?.exchange;
    if (!name) {
      throw new ConfigurationError(
        `${new.target.name} has no exchange: pass exchange (a short name becomes exchange/<user>/<name>) or use a preset such as publishers.CodePublisher.`,
      );
    }
    this.exchange = exchangeName(this.#connector.user, name);
    this.#envelope = preset?.envelope ?? true;
  }

  /** The Pulse user. */
  get user(): string {
    return this.#connector.user;
  }

  /** The connection in use (opened if need be). */
  connect(): Promise<Connection> {
    return this.#connector.connection();
  }

  /**
   * Validates the message (a missing or wrong field is a ValidationError, before anything reaches the broker),
   * wraps it in the envelope and publishes it; resolves once the broker has taken it.
   */
  async publish(message: PulseMessage): Promise<void> {
    if (this.#closed) throw new MessageStateError('This publisher is disconnected; create a new one to publish.');
    const prepared = message.prepare();
    const body = this.#envelope ? envelope(prepared, this.exchange) : prepared.payload;
    const publisher = await this.#publisherOnce();
    await publisher.send(body, { routingKey: prepared.routingKey });
  }

  /** Declares the exchange now (a service does so at startup, so that consumers can bind before it first sends). */
  async declare(): Promise<void> {
    const publisher = await this.#publisherOnce();
    await publisher.declare();
  }

  /** Stops publishing and closes the connection (unless it was given as `connection`). */
  async disconnect(): Promise<void> {
    this.#closed = true;
    const pending = this.#publisher;
    this.#publisher = undefined;
    const publisher = await pending?.catch(() => undefined);
    await publisher?.close();
    await this.#connector.close();
  }

  #publisherOnce(): Promise<Publisher> {
    this.#publisher ??= this.connect().then(
      (connection) =>
        new Publisher(connection, {
          exchange: this.exchange,
          exchangeType: 'topic',
          durable: true,
          persistent: true,
          serializer: 'json',
        }),
    );
    this.#publisher.catch(() => {
      this.#publisher = undefined;
    });
    return this.#publisher;
  }
}
