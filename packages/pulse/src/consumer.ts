import {
  ConfigurationError,
  type Connection,
  Consumer,
  type Message,
  NotFoundError,
  type QueueSpec,
  SafeEmitter,
} from '@warren/core';
import { PulseConnector } from './connector.js';
import type { PulseEnvelope } from './envelope.js';
import { checkDurable, queueName } from './naming.js';
import { consumerOptionsSchema, type PulseBrokerOptions, type PulseTopic, parseStrict } from './options.js';
import { type ExchangePreset, presetOf } from './presets.js';
import { topicPatterns } from './topic.js';

/** Called with each message's decoded body (the envelope, or the bare JSON of an exchange without one). */
export type PulseCallback<TBody = unknown> = (body: TBody, message: Message<TBody>) => unknown;

/** One more exchange and topic the queue is bound to, beside the consumer's own. */
export interface PulseBinding {
  /** The exchange's full name (`exchange/<owner>/...`). */
  exchange: string;
  /** Routing-key pattern(s), or fields by name. */
  topic: PulseTopic;
}

/** What a consumer listens to and how; each may also be set later with `configure`. */
export interface PulseListenOptions<TBody = unknown> {
  /** The exchange (a preset has its own); a full name, `exchange/<owner>/...`. */
  exchange?: string;
  /** Names the queue `queue/<user>/<applabel>`; without it the queue gets a fresh name and is temporary. */
  applabel?: string;
  /** Routing-key pattern(s) to bind, or routing-key fields by name (see the preset's `routingKeyFields`). */
  topic?: PulseTopic;
  /** Gets each message; the message is acknowledged after it returns, unless it settled it itself. */
  callback?: PulseCallback<TBody>;
  /** Keep the queue (and its messages) when the consumer goes away. Needs an applabel. Default false. */
  durable?: boolean;
  /** Unacknowledged messages at a time (default core's, 100). */
  prefetch?: number;
  /** Most messages the queue holds; older ones are dropped beyond it (Pulse's own limit is a safety net). */
  maxLength?: number;
  /** More exchange/topic pairs bound to the same queue. */
  bindings?: PulseBinding[];
}

/** Constructor options of a Pulse consumer: the broker, and what to listen to. */
export interface PulseConsumerOptions<TBody = unknown> extends PulseBrokerOptions, PulseListenOptions<TBody> {}

/** Events of a Pulse consumer. */
export interface PulseConsumerEvents<TBody> {
  [event: string]: unknown[];
  /** A callback threw (its message was rejected), or a message could not be decoded. */
  error: [error: Error, message?: Message<TBody>];
}

const LISTEN_KEYS = new Set([
  'exchange',
  'applabel',
  'topic',
  'callback',
  'durable',
  'prefetch',
  'maxLength',
  'bindings',
]);

/**
 * mozillapulse's GenericConsumer on warren: a queue named by Pulse's rules, bound to one or more exchanges that must
 * already exist (they are checked, never created), delivering to a callback. A preset subclass sets `preset`.
 *
 * ```ts
 * const consumer = new consumers.CodeConsumer({ user, password, applabel: 'my-app' });
 * consumer.configure({ topic: 'hg.commit.#', callback: (body, message) => console.log(body.payload) });
 * await consumer.listen(); // until stop() or disconnect()
 * ```
 */
export class PulseConsumer<TBody = PulseEnvelope> extends SafeEmitter<PulseConsumerEvents<TBody>> {
  /** The exchange this class listens to, when it is a preset. */
  static readonly preset: ExchangePreset | undefined = undefined;

  readonly #connector: PulseConnector;
  #listen: PulseListenOptions<TBody>;
  #queue: string | undefined;
  #consumer: Consumer<TBody> | undefined;
  #starting: Promise<void> | undefined;

  constructor(options: PulseConsumerOptions<TBody> = {}) {
    super();
    const parsed = parseStrict(
      consumerOptionsSchema,
      options,
      `${new.target.name} options`,
    ) as PulseConsumerOptions<TBody>;
    const listen: PulseListenOptions<TBody> = {};
    const broker: PulseBrokerOptions = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (value === undefined) continue;
      (LISTEN_KEYS.has(key) ? (listen as Record<string, unknown>) : (broker as Record<string, unknown>))[key] = value;
    }
    this.#connector = new PulseConnector(broker, new.target.name);
    this.#listen = listen;
    this.#check();
  }

  /** The preset of this class, if any. */
  get preset(): ExchangePreset | undefined {
    return (this.constructor as typeof PulseConsumer).preset;
  }

  /** The Pulse user (names the queue). */
  get user(): string {
    return this.#connector.user;
  }

  /** The exchange the consumer listens to. */
  get exchange(): string {
    const exchange = this.#listen.exchange ?? this.preset?.exchange;
    if (!exchange) {
      throw new ConfigurationError(
        `${this.constructor.name} has no exchange: pass exchange ('exchange/<owner>/<name>') or use a preset such as consumers.CodeConsumer.`,
      );
    }
    return exchange;
  }

  /** The queue's name: `queue/<user>/<applabel>`, or a generated one (fixed for this consumer's life). */
  get queueName(): string {
    this.#queue ??= queueName(this.user, this.#listen.applabel);
    return this.#queue;
  }

  /** Whether the queue outlives the consumer. */
  get durable(): boolean {
    return this.#listen.durable ?? false;
  }

  /** Sets what to listen to (mozillapulse's `configure(topic=..., callback=...)`); takes effect at the next listen. */
  configure(options: PulseListenOptions<TBody>): this {
    for (const key of Object.keys(options)) {
      if (!LISTEN_KEYS.has(key)) {
        throw new ConfigurationError(
          `configure() takes ${[...LISTEN_KEYS].join(', ')}; "${key}" is a constructor option${key === 'user' || key === 'password' ? ' (the connection is set up once)' : ''}.`,
        );
      }
    }
    const merged = { ...this.#listen };
    for (const [key, value] of Object.entries(options)) {
      if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
    }
    parseStrict(consumerOptionsSchema, merged, `${this.constructor.name}.configure() options`);
    if (merged.applabel !== this.#listen.applabel) this.#queue = undefined;
    const previous = this.#listen;
    this.#listen = merged;
    try {
      this.#check();
    } catch (error) {
      this.#listen = previous;
      throw error;
    }
    return this;
  }

  /** Opens the connection now (it is otherwise opened by the first listen or purge). */
  connect(): Promise<Connection> {
    return this.#connector.connection();
  }

  /** The connection in use (opened if need be). */
  get connection(): Promise<Connection> {
    return this.#connector.connection();
  }

  /** Drops the messages waiting in the queue (mozillapulse's `purge_existing_messages`); resolves with how many. */
  async purgeExistingMessages(): Promise<number> {
    const connection = await this.connect();
    await connection.declareQueue(this.#queueSpec(connection));
    return connection.purgeQueue(this.queueName);
  }

  /**
   * Checks the exchanges, declares and binds the queue, and starts delivering to the callback; resolves once
   * subscribed. A missing exchange is a NotFoundError (Pulse consumers never create exchanges).
   */
  start(callback?: PulseCallback<TBody>): Promise<void> {
    if (callback) this.configure({ callback });
    if (this.#consumer?.isConsuming) return Promise.resolve();
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  /**
   * Starts (if not started) and resolves when the consumer is stopped: by `stop()`, `disconnect()` or `signal`.
   * mozillapulse's blocking `listen()`.
   */
  async listen(
    options: PulseCallback<TBody> | { callback?: PulseCallback<TBody>; signal?: AbortSignal } = {},
  ): Promise<void> {
    const { callback, signal } = typeof options === 'function' ? { callback: options, signal: undefined } : options;
    if (signal?.aborted) return;
    await this.start(callback);
    const consumer = this.#consumer;
    if (!consumer?.isConsuming) return;
    await consumer.wait(signal ? { signal } : {});
  }

  /** Stops delivering; messages received but not yet acknowledged go back to the queue. `listen()` starts again. */
  async stop(): Promise<void> {
    await this.#starting?.catch(() => {});
    const consumer = this.#consumer;
    this.#consumer = undefined;
    await consumer?.close();
  }

  /** Stops and closes the connection (unless it was given as `connection`). */
  async disconnect(): Promise<void> {
    await this.stop();
    await this.#connector.close();
  }

  /** Whether the queue exists on the broker. */
  async queueExists(): Promise<boolean> {
    const connection = await this.connect();
    try {
      await connection.checkQueue(this.queueName);
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }

  /** Deletes the queue (and the messages in it). */
  async deleteQueue(): Promise<void> {
    await this.stop();
    const connection = await this.connect();
    await connection.deleteQueue(this.queueName);
  }

  // ---- internals ------------------------------------------------------------------------------------------

  #check(): void {
    const l = this.#listen;
    checkDurable(l.durable ?? false, l.applabel, this.constructor.name);
    // Without an exchange yet (a generic consumer configured later), start() says what is missing.
    if (!l.exchange && !this.preset) return;
    for (const binding of this.#bindings(false))
      topicPatterns(binding.topic, binding.exchange, this.#fieldsOf(binding.exchange));
  }

  /** Every exchange/topic pair to bind: the consumer's own first. */
  #bindings(requireTopic: boolean): PulseBinding[] {
    const l = this.#listen;
    const bindings: PulseBinding[] = [];
    if (l.topic !== undefined) bindings.push({ exchange: this.exchange, topic: l.topic });
    else if (requireTopic && !l.bindings?.length) {
      throw new ConfigurationError(
        `${this.constructor.name} has no topic: configure({ topic: '#' }) listens to everything on ${this.exchange}.`,
      );
    }
    bindings.push(...(l.bindings ?? []));
    return bindings;
  }

  #fieldsOf(exchange: string): readonly string[] | undefined {
    if (exchange === this.preset?.exchange) return this.preset.routingKeyFields;
    return presetOf(exchange)?.routingKeyFields;
  }

  #queueSpec(connection: Connection): QueueSpec {
    const durable = this.durable;
    // Recent RabbitMQ refuses non-durable non-exclusive queues: a temporary queue is exclusive and auto-deleted.
    const spec: QueueSpec = {
      name: this.queueName,
      durable,
      exclusive: !durable && connection.capabilities.exclusiveQueues,
      autoDelete: !durable,
    };
    const maxLength = this.#listen.maxLength;
    return maxLength === undefined ? spec : { ...spec, arguments: { maxLength } };
  }

  async #start(): Promise<void> {
    const callback = this.#listen.callback;
    if (!callback) {
      throw new ConfigurationError(
        `${this.constructor.name} has no callback: configure({ callback: (body, message) => ... }) or listen(callback).`,
      );
    }
    const bindings = this.#bindings(true);
    const patterns = bindings.map((b) => ({
      exchange: b.exchange,
      keys: topicPatterns(b.topic, b.exchange, this.#fieldsOf(b.exchange)),
    }));
    const connection = await this.connect();
    for (const exchange of new Set(patterns.map((p) => p.exchange))) await checkExchange(connection, exchange);
    const spec = this.#queueSpec(connection);
    await connection.declareQueue(spec);
    for (const { exchange, keys } of patterns) {
      for (const routingKey of keys) {
        // The exchange may still be deleted between the check and the bind.
        await connection.bindQueue({ queue: this.queueName, exchange, routingKey }).catch((error: unknown) => {
          throw error instanceof NotFoundError ? missingExchange(exchange, error) : error;
        });
      }
    }
    const options = this.#listen.prefetch === undefined ? {} : { prefetch: this.#listen.prefetch };
    const consumer = new Consumer<TBody>(connection, { queues: [this.queueName], accept: ['json'], ...options });
    consumer.on('error', (error, message) => this.emit('error', error, message));
    consumer.register(async (body, message) => {
      await callback(body, message);
      if (!message.acknowledged) await message.ack();
    });
    await consumer.consume();
    this.#consumer = consumer;
  }
}

/**
 * Checks that an exchange exists without creating it (passive declare), before the queue is declared: a missing
 * exchange leaves no queue behind.
 */
async function checkExchange(connection: Connection, exchange: string): Promise<void> {
  try {
    await connection.checkExchange(exchange);
  } catch (error) {
    throw error instanceof NotFoundError ? missingExchange(exchange, error) : error;
  }
}

function missingExchange(exchange: string, cause: NotFoundError): NotFoundError {
  return new NotFoundError(
    `Pulse exchange "${exchange}" does not exist: check its name (consumers.* presets list the known ones), or start its publisher first. A Pulse consumer never creates the exchanges it listens to.`,
    { cause },
  );
}
