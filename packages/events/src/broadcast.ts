import {
  type BodySchema,
  type Connection,
  type ConnectOptions,
  Consumer,
  connect,
  type ExchangeType,
  type Message,
  Publisher,
  SafeEmitter,
  type SendOptions,
} from '@warren/core';

/** zamqp's default exchange for plain broadcasts. */
export const BROADCAST_EXCHANGE = 'zamqp.broadcast.fanout';

/** Where a broadcast goes: the exchange (fanout by default: every bound queue gets every message). */
export interface BroadcastOptions {
  /** Default `zamqp.broadcast.fanout` (events: `zamqp.events.fanout`). */
  exchange?: string;
  /** Default `fanout`. */
  exchangeType?: ExchangeType;
  /** For a direct or topic exchange; a fanout exchange ignores it. */
  routingKey?: string;
}

/**
 * zamqp's AMQPProps: where the broker is and which exchange to use. `connectProps` turns them into a warren
 * connection (AMQP 0-9-1); for any other transport, `connect(url)` yourself and pass the connection.
 */
export interface BroadcastProps {
  /** Default `localhost`. */
  host?: string;
  /** Default 5672, 5671 with ssl. */
  port?: number;
  /** Default `guest`. */
  user?: string;
  /** Default `guest`. */
  password?: string;
  /** TLS (amqps). Default false. */
  ssl?: boolean;
  /** zamqp's realm: the virtual host. Default `/`. */
  vhost?: string;
}

/** The amqp(s):// URL for zamqp-style props (each part percent-encoded). */
export function propsUrl(props: BroadcastProps = {}): string {
  const ssl = props.ssl ?? false;
  const host = props.host ?? 'localhost';
  const port = props.port ?? (ssl ? 5671 : 5672);
  const auth = `${encodeURIComponent(props.user ?? 'guest')}:${encodeURIComponent(props.password ?? 'guest')}@`;
  return `${ssl ? 'amqps' : 'amqp'}://${auth}${host}:${port}/${encodeURIComponent(props.vhost ?? '/')}`;
}

/** Connects with zamqp-style props (zamqp's AMQPConnection). */
export function connectProps(props: BroadcastProps = {}, options: ConnectOptions = {}): Promise<Connection> {
  return connect(propsUrl(props), options);
}

/** zamqp's AMQPProducer, called as a function: `await produce(message)` resolves once the broker took it. */
export interface ProducerFunction {
  (message: unknown, options?: SendOptions): Promise<void>;
  /** The publisher behind it. */
  readonly publisher: Publisher;
  /** Stops it (the connection stays open). */
  close(): Promise<void>;
}

/** A producer function that broadcasts any JSON-serializable message through the exchange (declared on first use). */
export function createProducer(connection: Connection, options: BroadcastOptions = {}): ProducerFunction {
  const publisher = new Publisher(connection, {
    exchange: options.exchange ?? BROADCAST_EXCHANGE,
    exchangeType: options.exchangeType ?? 'fanout',
    routingKey: options.routingKey ?? '',
  });
  const produce = ((message: unknown, sendOptions?: SendOptions) =>
    publisher.send(message, sendOptions)) as ProducerFunction;
  Object.defineProperties(produce, {
    publisher: { value: publisher },
    close: { value: () => publisher.close() },
  });
  return produce;
}

/** Gets each broadcast message's decoded body. */
export type BroadcastCallback = (message: unknown, raw: Message) => unknown;

/** Options of a BroadcastConsumer. */
export interface BroadcastConsumerOptions extends BroadcastOptions {
  /**
   * A named queue: durable, it keeps what is broadcast while the consumer is down, and consumers sharing it share
   * its messages. Default: a temporary queue of this consumer only (exclusive, auto-deleted), which gets every
   * message broadcast while it exists and nothing sent before or after.
   */
  queue?: string;
  /** Unacknowledged messages at a time (core's default, 100). */
  prefetch?: number;
  /** Validates each body; a failing one is rejected and reported, not passed to the callback. */
  schema?: BodySchema<unknown>;
}

/** Events of a BroadcastConsumer. */
export interface BroadcastConsumerEvents {
  [event: string]: unknown[];
  /** A callback threw (its message was rejected), or a message could not be decoded or validated. */
  error: [error: Error, message?: Message];
}

/**
 * zamqp's AMQPConsumer: a queue bound to the broadcast exchange, each message's body passed to the callback and
 * acknowledged once the callback returned. `close()` stops cleanly: no new deliveries, in-flight callbacks finish,
 * then the consumer closes.
 */
export class BroadcastConsumer extends SafeEmitter<BroadcastConsumerEvents> {
  /** The connection it consumes on. */
  readonly connection: Connection;
  readonly #consumer: Consumer;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(connection: Connection, options: BroadcastConsumerOptions, callback: BroadcastCallback) {
    super();
    this.connection = connection;
    const named = options.queue !== undefined && options.queue !== '';
    this.#consumer = new Consumer(connection, {
      queue: options.queue ?? '',
      exchange: options.exchange ?? BROADCAST_EXCHANGE,
      exchangeType: options.exchangeType ?? 'fanout',
      routingKey: options.routingKey ?? '',
      durable: named,
      exclusive: !named,
      autoDelete: !named,
      ...(options.prefetch === undefined ? {} : { prefetch: options.prefetch }),
      ...(options.schema === undefined ? {} : { schema: options.schema }),
    });
    this.#consumer.on('error', (error, message) => this.emit('error', error, message));
    this.#consumer.register(async (body, message) => {
      const running = Promise.resolve(callback(body, message));
      this.#inFlight.add(running);
      try {
        await running;
      } finally {
        this.#inFlight.delete(running);
      }
      if (!message.acknowledged) await message.ack();
    });
  }

  /** Declares the exchange, the queue and the binding, and starts delivering; resolves once subscribed. */
  consume(): Promise<void> {
    return this.#consumer.consume();
  }

  /** Resolves when the consumer is closed or cancelled, or when `signal` fires (which stops it). */
  wait(options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#consumer.wait(options);
  }

  /** Whether it is delivering. */
  get isConsuming(): boolean {
    return this.#consumer.isConsuming;
  }

  /** Stops cleanly: no new deliveries, waits for the callbacks under way, then closes. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#consumer.cancel().catch(() => {});
      await Promise.allSettled([...this.#inFlight]);
      await this.#consumer.close();
    })();
    return this.#closing;
  }
}

/** What a BackgroundRunner runs: anything that consumes until closed. */
export interface Runnable {
  /** Starts consuming; resolves once subscribed. */
  consume(): Promise<void>;
  /** Resolves when consuming ended. */
  wait(options?: { signal?: AbortSignal }): Promise<void>;
  /** Stops cleanly. */
  close(): Promise<void>;
}

/**
 * zamqp's AMQPThread in Node's terms: runs a consumer in the background of the event loop. `start()` resolves once
 * it consumes; `done` resolves when it stopped (by `stop()` or because the consumer ended); `stop()` stops it
 * cleanly, waiting for callbacks under way.
 */
export class BackgroundRunner {
  readonly #runnable: Runnable;
  #done: Promise<void> | undefined;

  constructor(runnable: Runnable) {
    this.#runnable = runnable;
  }

  /** Starts consuming; resolves once subscribed. */
  async start(): Promise<void> {
    await this.#runnable.consume();
    this.#done ??= this.#runnable.wait();
  }

  /** Resolves when the consumer stopped. */
  get done(): Promise<void> {
    return this.#done ?? Promise.resolve();
  }

  /** Stops the consumer cleanly and resolves once it stopped. */
  async stop(): Promise<void> {
    await this.#runnable.close();
    await this.done;
  }
}
